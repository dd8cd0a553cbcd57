package runner_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/runner"
	"github.com/mrioflow/mrioflow/pkg/store"
)

// s3Tables starts an S3 server, uploads pymrio's test MRIO below
// tables/2010 and points the AWS variables at the server. It returns the
// bucket store and the table's URL.
func s3Tables(t *testing.T) (*testenv.S3Server, store.Store, string) {
	t.Helper()
	s3 := testenv.StartS3(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", s3.Endpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", s3.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", s3.SecretKey)
	ctx := context.Background()
	st, err := store.Open(ctx, "s3://"+s3.Bucket, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(dataDir(t), "pymrio-test-mrio", "saved")
	err = filepath.WalkDir(local, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(local, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return st.Put(ctx, "tables/2010/"+filepath.ToSlash(rel), data)
	})
	if err != nil {
		t.Fatal(err)
	}
	return s3, st, "s3://" + s3.Bucket + "/tables/2010"
}

func TestTablesFromS3(t *testing.T) {
	_, st, url := s3Tables(t)
	ctx := context.Background()
	j := pymrioJob(t)
	localInputs, err := runner.Check(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	localRun, err := runner.New(runner.Options{}).Run(ctx, tasks(t, j)[0])
	if err != nil {
		t.Fatal(err)
	}

	j.Tables[0].Path = url
	cache := t.TempDir()
	inputs, err := runner.New(runner.Options{CacheDir: cache}).Check(ctx, j)
	if err != nil {
		t.Fatal(err)
	}
	if len(inputs) != 1 || inputs[0].Path != url || len(inputs[0].Files) != len(localInputs[0].Files) {
		t.Fatalf("inputs %+v; want the files of %s", inputs, url)
	}
	for i, f := range inputs[0].Files {
		if f != localInputs[0].Files[i] {
			t.Errorf("file %d: %+v from S3, %+v on disk", i, f, localInputs[0].Files[i])
		}
	}
	task := tasks(t, j)[0]
	task.Input = &inputs[0]

	// A second worker sharing the cache finds the table there.
	m := &runner.Metrics{}
	rep, err := runner.New(runner.Options{CacheDir: cache, Metrics: m}).Run(ctx, task)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range rep.Outputs {
		if o.SHA256 != localRun.Outputs[i].SHA256 {
			t.Errorf("%s differs from the run on the local table", o.Account)
		}
	}
	hasMetrics(t, m, "mrioflow_table_cache_hits_total 1", "mrioflow_input_bytes_fetched_total 0", "mrioflow_table_cache_misses_total 0")

	// The table changes after the check: a worker without a copy refuses
	// it, naming the file; trying again would not help.
	if err := st.Put(ctx, "tables/2010/Z.txt", []byte("not a table\n")); err != nil {
		t.Fatal(err)
	}
	_, err = runner.New(runner.Options{CacheDir: t.TempDir()}).Run(ctx, task)
	var te *runner.TaskError
	if !errors.As(err, &te) || !errors.Is(err, runner.ErrChanged) || te.Temporary() || !strings.Contains(err.Error(), "Z.txt") || !strings.Contains(err.Error(), url) {
		t.Fatalf("got %v; want a TaskError wrapping ErrChanged naming %s and Z.txt", err, url)
	}
}

func TestTablesFromS3Errors(t *testing.T) {
	s3, _, url := s3Tables(t)
	ctx := context.Background()
	j := pymrioJob(t)
	j.Tables[0].Path = strings.Replace(url, "tables/2010", "tables/1999", 1)
	_, err := runner.New(runner.Options{}).Run(ctx, tasks(t, j)[0])
	var te *runner.TaskError
	if !errors.As(err, &te) || te.Temporary() || !strings.Contains(err.Error(), "tables/1999: no object") {
		t.Errorf("missing table: %v", err)
	}

	// The store down: an error that may pass.
	s3.Stop()
	j.Tables[0].Path = url
	noRetry := func(ctx context.Context, location string) (store.Store, error) {
		return store.Open(ctx, location, store.Options{RetryFor: -1})
	}
	_, err = runner.New(runner.Options{Store: noRetry, CacheDir: t.TempDir()}).Run(ctx, tasks(t, j)[0])
	if !errors.As(err, &te) || !te.Temporary() {
		t.Errorf("store down: %v; want a temporary TaskError", err)
	}
}
