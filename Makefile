# chainkm: see README.md. `make run` starts a local testnet, `make test` runs every test.
SHELL := /bin/bash
ROOT := $(abspath .)
BUILD := $(ROOT)/build
MVN ?= mvn
MVN_FLAGS ?= -B -q -Dstyle.color=never
# go.sum pins every module: the build never needs the checksum database.
GO_ENV := GOFLAGS="-mod=readonly -buildvcs=false" GOSUMDB=off
COMETBFT_MOD := github.com/cometbft/cometbft
GOGOPROTO_MOD := github.com/cosmos/gogoproto

.PHONY: build test run bench fuzz image cometbft proto clean

build: $(BUILD)/bin/cometbft $(BUILD)/proto/.linked
	$(MVN) $(MVN_FLAGS) -DskipTests install
	@echo "build: ok (bin/chainkm is ready)"

cometbft: $(BUILD)/bin/cometbft

$(BUILD)/bin/cometbft: tools/cometbft/go.mod tools/cometbft/go.sum
	@mkdir -p $(BUILD)/bin
	@echo "building CometBFT from the pinned module (tools/cometbft)"
	cd tools/cometbft && $(GO_ENV) go build -trimpath -o $(BUILD)/bin/cometbft $(COMETBFT_MOD)/cmd/cometbft
	@$(BUILD)/bin/cometbft version

# The ABCI .proto files are read from the pinned module in the Go module cache, never copied.
proto: $(BUILD)/proto/.linked

$(BUILD)/proto/.linked: tools/cometbft/go.mod tools/cometbft/go.sum
	@mkdir -p $(BUILD)/proto
	cd tools/cometbft && $(GO_ENV) go mod download $(COMETBFT_MOD) $(GOGOPROTO_MOD)
	ln -sfn "$$(cd tools/cometbft && $(GO_ENV) go list -m -f '{{.Dir}}' $(COMETBFT_MOD))/proto/tendermint" $(BUILD)/proto/tendermint
	ln -sfn "$$(cd tools/cometbft && $(GO_ENV) go list -m -f '{{.Dir}}' $(GOGOPROTO_MOD))/gogoproto" $(BUILD)/proto/gogoproto
	@touch $@

test: $(BUILD)/bin/cometbft $(BUILD)/proto/.linked
	$(MVN) -B -Dstyle.color=never verify

run: build
	bin/chainkm testnet --gateways 4 --dir $(BUILD)/run --profile fast --devices 12

# The device image overlay for Raspberry Pi OS Lite (README: "Flashing a Raspberry Pi").
IMAGE := $(BUILD)/chainkm-device-image.tar.gz

image:
	$(MVN) $(MVN_FLAGS) -pl hardware -am -DskipTests package
	@mkdir -p $(BUILD)
	cp hardware/target/chainkm-device-image.tar.gz $(IMAGE)
	@echo "image: $(IMAGE): $$(stat -c %s $(IMAGE)) bytes compressed;" \
	  "distribution (agent and its libraries, /opt/chainkm): $$(tar -tvzf $(IMAGE) opt/chainkm | awk '{s += $$3} END {print s}') bytes;" \
	  "$$(tar -tzf $(IMAGE) | grep -c '\.jar$$') jars"

bench: build
	bin/chainkm bench --out bench/results --sweep 1,4,7,10

# Coverage-guided fuzzing of every decoder (docs/testing.md, "Fuzzing"): each Jazzer target runs for
# FUZZ_SECONDS, one after another; FUZZ_TARGETS (a regex of Class#method) picks some. `make test`
# replays their seed corpora and every crash input found so far.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

fuzz: $(BUILD)/proto/.linked
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TARGETS='$(FUZZ_TARGETS)' MVN='$(MVN)' tools/fuzz/run

clean:
	$(MVN) $(MVN_FLAGS) clean
	rm -rf $(BUILD)
