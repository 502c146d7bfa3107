// The Go smoke run of the client generated from openapi.yaml (npm run generate:sdks →
// sdks-generated/go). Built and run by test/polyglot/smoke.polyglot.ts. The generated module
// has no dependencies: building needs only the Go toolchain, no module download.
module mojeeb.local/polyglot-smoke

go 1.23

require github.com/mojeeb/mojeeb-go v1.0.0

require gopkg.in/validator.v2 v2.0.1 // indirect

replace github.com/mojeeb/mojeeb-go => ../../../sdks-generated/go
