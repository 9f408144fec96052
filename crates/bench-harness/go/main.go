// Command yamlbench decodes the comparison's YAML inputs with gopkg.in/yaml.v3,
// into map[string]interface{} (the original service) and into a typed struct,
// timed exactly as the Rust harness times its rows: warm-up, then samples of a
// fixed batch of decodes, per-event time = batch time / batch.
//
// Usage: yamlbench INPUT.json  (written by bench-harness; prints JSON on stdout)
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"time"

	"gopkg.in/yaml.v3"
)

type plan struct {
	Samples  int                 `json:"samples"`
	Batch    int                 `json:"batch"`
	WarmupMs int                 `json:"warmup_ms"`
	Sets     map[string][]string `json:"sets"`
}

type vec3 struct {
	X float32 `yaml:"x"`
	Y float32 `yaml:"y"`
	Z float32 `yaml:"z"`
}

type stack struct {
	Item string `yaml:"item"`
	Qty  uint32 `yaml:"qty"`
}

type score struct {
	PlayerID string `yaml:"player_id"`
	Score    int64  `yaml:"score"`
}

// payload holds the fields of every kind, as a Go service would write it.
type payload struct {
	Skill        uint32   `yaml:"skill"`
	Platform     string   `yaml:"platform"`
	Party        []string `yaml:"party"`
	Reason       string   `yaml:"reason"`
	Position     *vec3    `yaml:"position"`
	Heading      float32  `yaml:"heading"`
	Speed        float32  `yaml:"speed"`
	ClueID       string   `yaml:"clue_id"`
	Zone         string   `yaml:"zone"`
	Tags         []string `yaml:"tags"`
	Points       uint32   `yaml:"points"`
	HintUsed     bool     `yaml:"hint_used"`
	Note         *string  `yaml:"note"`
	TreasureID   string   `yaml:"treasure_id"`
	Value        uint64   `yaml:"value"`
	Inventory    []stack  `yaml:"inventory"`
	Modes        []string `yaml:"modes"`
	MaxLatencyMs uint32   `yaml:"max_latency_ms"`
	Map          string   `yaml:"map"`
	Mode         string   `yaml:"mode"`
	Players      []string `yaml:"players"`
	Winner       *string  `yaml:"winner"`
	Scores       []score  `yaml:"scores"`
}

type event struct {
	ID       string            `yaml:"id"`
	Seq      uint64            `yaml:"seq"`
	Ts       yaml.Node         `yaml:"ts"` // integer ms or RFC 3339 text
	Kind     string            `yaml:"kind"`
	PlayerID string            `yaml:"player_id"`
	MatchID  *string           `yaml:"match_id"`
	Region   string            `yaml:"region"`
	Attrs    map[string]string `yaml:"attrs"`
	Payload  *payload          `yaml:"payload"`
}

type row struct {
	Decoder        string  `json:"decoder"`
	Input          string  `json:"input"`
	NsMedian       float64 `json:"ns_median"`
	NsP99          float64 `json:"ns_p99"`
	MBPerS         float64 `json:"mb_per_s"`
	AllocsPerEvent float64 `json:"allocs_per_event"`
	BytesPerEvent  float64 `json:"bytes_per_event"`
	Error          string  `json:"error,omitempty"`
}

var sink interface{}

func decodeMap(b []byte) error {
	var m map[string]interface{}
	err := yaml.Unmarshal(b, &m)
	sink = m
	return err
}

func decodeStruct(b []byte) error {
	var e event
	err := yaml.Unmarshal(b, &e)
	sink = &e
	return err
}

func percentile(sorted []float64, p float64) float64 {
	rank := int(float64(len(sorted))*p/100 + 0.999999999)
	if rank < 1 {
		rank = 1
	}
	if rank > len(sorted) {
		rank = len(sorted)
	}
	return sorted[rank-1]
}

func measure(name, set string, inputs [][]byte, p plan, decode func([]byte) error) row {
	r := row{Decoder: name, Input: set}
	for i, in := range inputs {
		if err := decode(in); err != nil {
			r.Error = fmt.Sprintf("input %d: %v", i+1, err)
			return r
		}
	}
	// Heap traffic of one pass, as Go's testing.AllocsPerRun counts it (MemStats deltas).
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for _, in := range inputs {
		_ = decode(in)
	}
	runtime.ReadMemStats(&after)
	n := float64(len(inputs))
	r.AllocsPerEvent = float64(after.Mallocs-before.Mallocs) / n
	r.BytesPerEvent = float64(after.TotalAlloc-before.TotalAlloc) / n

	next := 0
	start := time.Now()
	for {
		for k := 0; k < p.Batch; k++ {
			_ = decode(inputs[next])
			next = (next + 1) % len(inputs)
		}
		if time.Since(start) >= time.Duration(p.WarmupMs)*time.Millisecond {
			break
		}
	}
	perEvent := make([]float64, 0, p.Samples)
	var totalNs, totalBytes int64
	for s := 0; s < p.Samples; s++ {
		first := next
		t := time.Now()
		for k := 0; k < p.Batch; k++ {
			_ = decode(inputs[next])
			next = (next + 1) % len(inputs)
		}
		ns := time.Since(t).Nanoseconds()
		totalNs += ns
		perEvent = append(perEvent, float64(ns)/float64(p.Batch))
		for k := 0; k < p.Batch; k++ {
			totalBytes += int64(len(inputs[(first+k)%len(inputs)]))
		}
	}
	sort.Float64s(perEvent)
	r.NsMedian = percentile(perEvent, 50)
	r.NsP99 = percentile(perEvent, 99)
	if totalNs > 0 {
		r.MBPerS = float64(totalBytes) * 1e3 / float64(totalNs)
	}
	return r
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: yamlbench INPUT.json")
		os.Exit(2)
	}
	raw, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var p plan
	if err := json.Unmarshal(raw, &p); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if p.Samples < 1 || p.Batch < 1 {
		fmt.Fprintln(os.Stderr, "samples and batch must be positive")
		os.Exit(2)
	}
	var rows []row
	for _, set := range []string{"reference", "corpus"} {
		texts := p.Sets[set]
		if len(texts) == 0 {
			continue
		}
		inputs := make([][]byte, len(texts))
		for i, t := range texts {
			inputs[i] = []byte(t)
		}
		rows = append(rows, measure("map", set, inputs, p, decodeMap))
		rows = append(rows, measure("struct", set, inputs, p, decodeStruct))
	}
	out := map[string]interface{}{"go": runtime.Version(), "rows": rows}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
