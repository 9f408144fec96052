-- wrk script: POST the reference event as one YAML request (see the README's service figures).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/yaml"
wrk.body = [==[# clue_found, as sent by the mobile client v5.
id: 831c4e3b-114e-4738-8f0c-de7c849b35b8
seq: 1004
ts: 1715954400406
kind: clue_found
player_id: plr_6826891
match_id: m-20240528-5796
region: us-east-1
attrs:
  client: ios-5.2.1
  build: "4412"
payload:
  clue_id: clue-harbor-17
  zone: cliffside
  position:
    x: 1855.25
    y: 1280.25
    z: 29.625
  tags:
    - coastal
    - riddle
    - night
    - bonus
  points: 300
  hint_used: false
  note: "found under the fourth plank of the old pier at low tide."
]==]
