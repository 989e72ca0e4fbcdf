//go:build tools

// Package tools pins the CometBFT release that chainkm gateways run.
// `go build github.com/cometbft/cometbft/cmd/cometbft` from this module
// builds exactly the version named in go.mod, checked against go.sum.
package tools

import _ "github.com/cometbft/cometbft/cmd/cometbft"
