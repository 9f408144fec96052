//! The payload messages of the nine kinds, and their nested messages (Vec3,
//! InventoryItem, Score), read by the zero-copy parser.

use super::*;

impl<'a> Parser<'a> {
    /// Merges a `position` occurrence (a `Vec3` at depth 3) into `v`.
    #[inline(always)]
    pub(super) fn position(
        &self,
        c: &mut Cursor<'a>,
        wt: u8,
        at: usize,
        v: &mut Vec3,
    ) -> Result<(), DecodeError> {
        let mut m = self.sub(c, wt, at, 3).within("position")?;
        self.vec3(&mut m, v).within("position")
    }

    #[inline(always)]
    pub(super) fn vec3(&self, c: &mut Cursor<'a>, v: &mut Vec3) -> Result<(), DecodeError> {
        fields!(self, c, 3, |at, wt| {
            0x0d => 1: I32 => v.x = self.float(c, wt, at).within("x")?,
            0x15 => 2: I32 => v.y = self.float(c, wt, at).within("y")?,
            0x1d => 3: I32 => v.z = self.float(c, wt, at).within("z")?,
        });
        Ok(())
    }

    pub(super) fn player_joined(
        &self,
        c: Cursor<'a>,
        p: &mut PlayerJoinedB<'a>,
    ) -> Result<(), DecodeError> {
        // A local copy, kept in registers (the argument lives in memory).
        let mut cursor = c;
        let c = &mut cursor;
        fields!(self, c, 2, |at, wt| {
            0x08 => 1: VARINT => p.skill = self.varint(c, wt, at).within("skill")? as u32,
            0x12 => 2: LEN => p.platform = self.string(c, wt, at).within("platform")?,
            0x1a => 3: LEN => self.push_string(c, wt, at, &mut p.party, "party")?,
        });
        Ok(())
    }

    pub(super) fn player_left(
        &self,
        c: Cursor<'a>,
        p: &mut PlayerLeft<'a>,
    ) -> Result<(), DecodeError> {
        // A local copy, kept in registers (the argument lives in memory).
        let mut cursor = c;
        let c = &mut cursor;
        fields!(self, c, 2, |at, wt| {
            0x0a => 1: LEN => p.reason = self.string(c, wt, at).within("reason")?,
        });
        Ok(())
    }

    pub(super) fn player_moved(
        &self,
        c: Cursor<'a>,
        p: &mut PlayerMoved,
    ) -> Result<(), DecodeError> {
        // A local copy, kept in registers (the argument lives in memory).
        let mut cursor = c;
        let c = &mut cursor;
        fields!(self, c, 2, |at, wt| {
            0x0a => 1: LEN => self.position(c, wt, at, &mut p.position)?,
            0x15 => 2: I32 => p.heading = self.float(c, wt, at).within("heading")?,
            0x1d => 3: I32 => p.speed = self.float(c, wt, at).within("speed")?,
        });
        Ok(())
    }

    pub(super) fn clue_found(
        &self,
        c: Cursor<'a>,
        p: &mut ClueFoundB<'a>,
    ) -> Result<(), DecodeError> {
        // A local copy, kept in registers (the argument lives in memory).
        let mut cursor = c;
        let c = &mut cursor;
        fields!(self, c, 2, |at, wt| {
            0x0a => 1: LEN => p.clue_id = self.string(c, wt, at).within("clue_id")?,
            0x12 => 2: LEN => p.zone = self.string(c, wt, at).within("zone")?,
            0x1a => 3: LEN => self.position(c, wt, at, &mut p.position)?,
            0x22 => 4: LEN => self.push_string(c, wt, at, &mut p.tags, "tags")?,
            0x28 => 5: VARINT => p.points = self.varint(c, wt, at).within("points")? as u32,
            0x30 => 6: VARINT => p.hint_used = self.varint(c, wt, at).within("hint_used")? != 0,
            0x3a => 7: LEN => p.note = Some(self.string(c, wt, at).within("note")?),
        });
        Ok(())
    }

    pub(super) fn treasure_claimed(
        &self,
        c: Cursor<'a>,
        p: &mut TreasureClaimedB<'a>,
    ) -> Result<(), DecodeError> {
        // A local copy, kept in registers (the argument lives in memory).
        let mut cursor = c;
        let c = &mut cursor;
        fields!(self, c, 2, |at, wt| {
            0x0a => 1: LEN => p.treasure_id = self.string(c, wt, at).within("treasure_id")?,
            0x10 => 2: VARINT => p.value = self.varint(c, wt, at).within("value")?,
            0x1a => 3: LEN => self.position(c, wt, at, &mut p.position)?,
            0x22 => 4: LEN => {
                let n = p.inventory.len();
                let mut m = self.sub(c, wt, at, 3).within_item("inventory", n)?;
                let item = self.inventory_item(&mut m).within_item("inventory", n)?;
                if n >= self.max_items {
                    return Err(too_many_items(self.max_items, at)).within("inventory");
                }
                push(&mut p.inventory, item, at)?;
            },
        });
        Ok(())
    }

    #[inline(always)]
    pub(super) fn inventory_item(
        &self,
        c: &mut Cursor<'a>,
    ) -> Result<InventoryItem<'a>, DecodeError> {
        let mut item = InventoryItem::default();
        fields!(self, c, 3, |at, wt| {
            0x0a => 1: LEN => item.item = self.string(c, wt, at).within("item")?,
            0x10 => 2: VARINT => item.qty = self.varint(c, wt, at).within("qty")? as u32,
        });
        Ok(item)
    }

    pub(super) fn match_requested(
        &self,
        c: Cursor<'a>,
        p: &mut MatchRequestedB<'a>,
    ) -> Result<(), DecodeError> {
        // A local copy, kept in registers (the argument lives in memory).
        let mut cursor = c;
        let c = &mut cursor;
        fields!(self, c, 2, |at, wt| {
            0x08 => 1: VARINT => p.skill = self.varint(c, wt, at).within("skill")? as u32,
            0x12 => 2: LEN => self.push_string(c, wt, at, &mut p.party, "party")?,
            0x1a => 3: LEN => self.push_string(c, wt, at, &mut p.modes, "modes")?,
            0x20 => 4: VARINT => {
                p.max_latency_ms = self.varint(c, wt, at).within("max_latency_ms")? as u32
            },
        });
        Ok(())
    }

    pub(super) fn match_started(
        &self,
        c: Cursor<'a>,
        p: &mut MatchStartedB<'a>,
    ) -> Result<(), DecodeError> {
        // A local copy, kept in registers (the argument lives in memory).
        let mut cursor = c;
        let c = &mut cursor;
        fields!(self, c, 2, |at, wt| {
            0x0a => 1: LEN => p.map = self.string(c, wt, at).within("map")?,
            0x12 => 2: LEN => p.mode = self.string(c, wt, at).within("mode")?,
            0x1a => 3: LEN => self.push_string(c, wt, at, &mut p.players, "players")?,
        });
        Ok(())
    }

    pub(super) fn match_ended(
        &self,
        c: Cursor<'a>,
        p: &mut MatchEndedB<'a>,
    ) -> Result<(), DecodeError> {
        // A local copy, kept in registers (the argument lives in memory).
        let mut cursor = c;
        let c = &mut cursor;
        fields!(self, c, 2, |at, wt| {
            0x0a => 1: LEN => p.winner = Some(self.string(c, wt, at).within("winner")?),
            0x12 => 2: LEN => {
                let n = p.scores.len();
                let mut m = self.sub(c, wt, at, 3).within_item("scores", n)?;
                let score = self.score(&mut m).within_item("scores", n)?;
                if n >= self.max_items {
                    return Err(too_many_items(self.max_items, at)).within("scores");
                }
                push(&mut p.scores, score, at)?;
            },
        });
        Ok(())
    }

    #[inline(always)]
    pub(super) fn score(&self, c: &mut Cursor<'a>) -> Result<Score<'a>, DecodeError> {
        let mut score = Score::default();
        fields!(self, c, 3, |at, wt| {
            0x0a => 1: LEN => score.player_id = self.string(c, wt, at).within("player_id")?,
            // sint64: zigzag.
            0x10 => 2: VARINT => {
                let v = self.varint(c, wt, at).within("score")?;
                score.score = ((v >> 1) as i64) ^ -((v & 1) as i64);
            },
        });
        Ok(score)
    }
}
