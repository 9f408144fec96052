module example.invalid/veltrix/clients/go/veltrix

go 1.19

// Only the benchmark's baseline (yaml.v3 into a map) uses it. It is taken
// from Debian's golang-gopkg-yaml.v3-dev so that the package builds offline
// (GOPROXY=off); see README.md.
require gopkg.in/yaml.v3 v3.0.1

replace gopkg.in/yaml.v3 => /usr/share/gocode/src/gopkg.in/yaml.v3
