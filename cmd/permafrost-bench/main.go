// Command permafrost-bench measures an Amazon Glacier (vault API 2012-06-01)
// endpoint, permafrost or any other, with the aws-sdk-go-v2 Glacier client.
//
//	permafrost-bench -endpoint http://127.0.0.1:4566 [-size 256MiB]
//	    [-part-size 8MiB] [-parts-concurrency 4]
//	    [-control-requests 20000] [-control-concurrency 16]
//	    [-small-count 5000] [-small-size 4KiB] [-small-concurrency 16]
//	    [-only single,multipart,retrieval,control,small] [-duration 30s]
//	    [-job-timeout 2m] [-ratios [-rounds 3]] [-json]
//
// It creates a vault with a random name, runs the scenarios, deletes what
// it created, and prints a table (or JSON). A failed scenario is reported
// in its row and makes the exit status 1.
//
// With -ratios it also starts a trivial Glacier in-process on 127.0.0.1
// (reference.go), runs each scenario -rounds times against the endpoint
// and the reference in turn with the same client settings, and reports
// for each the median, lowest and highest of the endpoint's figure, the
// reference's, and their ratio (reference time / endpoint time).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// errUsage reports bad flags that the flag package has already described.
var errUsage = errors.New("usage")

func main() {
	os.Exit(mainExit(os.Args[1:], os.Stdout, os.Stderr))
}

func mainExit(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if errors.Is(err, errUsage) {
		return 2
	}
	if err != nil {
		fmt.Fprintln(stderr, "permafrost-bench:", err)
		return 2
	}
	cfg.Progress = stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err = run(ctx, cfg, stdout)
	switch {
	case errors.Is(err, errScenarios):
		fmt.Fprintln(stderr, "permafrost-bench: some scenarios failed (see their rows)")
		return 1
	case err != nil:
		fmt.Fprintln(stderr, "permafrost-bench:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (Config, error) {
	c := defaultConfig()
	fs := flag.NewFlagSet("permafrost-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Endpoint, "endpoint", "", "Glacier endpoint URL, e.g. http://127.0.0.1:4566 (required)")
	fs.StringVar(&c.Region, "region", c.Region, "region to sign requests for")
	fs.StringVar(&c.AccessKey, "access-key", c.AccessKey, "access key ID")
	fs.StringVar(&c.SecretKey, "secret-key", c.SecretKey, "secret access key")
	fs.Var(sizeFlag{&c.Size}, "size", "archive size for the single, multipart and retrieval scenarios")
	fs.Var(sizeFlag{&c.PartSize}, "part-size", "multipart part size (1MiB times a power of two)")
	fs.IntVar(&c.PartsConcurrency, "parts-concurrency", c.PartsConcurrency, "parallel part uploads")
	fs.IntVar(&c.ControlRequests, "control-requests", c.ControlRequests, "DescribeVault calls")
	fs.IntVar(&c.ControlConcurrency, "control-concurrency", c.ControlConcurrency, "parallel DescribeVault workers")
	fs.IntVar(&c.SmallCount, "small-count", c.SmallCount, "small UploadArchive calls")
	fs.Var(sizeFlag{&c.SmallSize}, "small-size", "size of each small archive")
	fs.IntVar(&c.SmallConcurrency, "small-concurrency", c.SmallConcurrency, "parallel small-upload workers (also used for cleanup)")
	fs.DurationVar(&c.JobTimeout, "job-timeout", c.JobTimeout, "longest wait for the retrieval job to complete")
	fs.DurationVar(&c.Duration, "duration", 0, "if set, stop the control and small scenarios after this long each (0: run all requests)")
	only := fs.String("only", "", "comma-separated scenarios to run: "+strings.Join(scenarioNames, ",")+" (default all)")
	fs.BoolVar(&c.Ratios, "ratios", false, "also run each scenario against a trivial in-process reference Glacier on 127.0.0.1,\n"+
		"alternating with the endpoint for -rounds rounds, and report per scenario the median and range of both\n"+
		"figures and of their ratio (reference time / endpoint time: 1 = as fast as the reference)")
	fs.IntVar(&c.Rounds, "rounds", c.Rounds, fmt.Sprintf("rounds of every scenario with -ratios (at least %d)", minRounds))
	fs.BoolVar(&c.JSON, "json", false, "print the results as JSON")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "permafrost-bench: benchmark an Amazon Glacier endpoint\n\n"+
			"Usage: permafrost-bench -endpoint URL [flags]\n"+
			"       permafrost-bench -endpoint URL -ratios [-rounds 3] [flags]\n\n"+
			"-ratios runs every scenario against the endpoint and an in-process trivial Glacier in turn,\n"+
			"with the same client, and prints one ratio line per scenario (multipart: initiate, parts and\n"+
			"complete; retrieval: the download only; archives are deleted between rounds).\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, errUsage // the flag package has printed why
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	c.Only = parseOnly(*only)
	return c, c.validate()
}
