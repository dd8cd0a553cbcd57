package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/store"
)

func TestS3MissingBucket(t *testing.T) {
	srv := testenv.StartS3(t)
	s := openOn(t, srv, "no-such-bucket", "runs", srv.SecretKey)
	ctx := context.Background()
	err := s.Check(ctx)
	if err == nil || !strings.Contains(err.Error(), `bucket "no-such-bucket" does not exist`) {
		t.Errorf("Check: %v, want an error naming the bucket", err)
	}
	err = s.Put(ctx, "k", []byte("v"))
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), "s3://no-such-bucket/runs/k") {
		t.Errorf("Put: %v, want an error naming the bucket", err)
	}
	if _, err := s.Get(ctx, "k"); err == nil || errors.Is(err, store.ErrNotExist) {
		t.Errorf("Get from a missing bucket: %v, want an error other than ErrNotExist", err)
	}
}

func TestS3PrefixesAreSeparate(t *testing.T) {
	srv := testenv.StartS3(t)
	a := openOn(t, srv, srv.Bucket, "job-a", srv.SecretKey)
	b := openOn(t, srv, srv.Bucket, "job-b/", srv.SecretKey)
	root := openOn(t, srv, srv.Bucket, "", srv.SecretKey)
	ctx := context.Background()
	for _, s := range []store.Store{a, b} {
		if err := s.Put(ctx, "x/y", []byte(s.String())); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := a.List(ctx, ""); strings.Join(got, ",") != "x/y" {
		t.Errorf("a lists %q", got)
	}
	if got, _ := root.List(ctx, ""); strings.Join(got, ",") != "job-a/x/y,job-b/x/y" {
		t.Errorf("the bucket lists %q", got)
	}
	if got, want := b.URL("x/y"), "s3://"+srv.Bucket+"/job-b/x/y"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
	if got, want := root.URL("x/y"), "s3://"+srv.Bucket+"/x/y"; got != want {
		t.Errorf("URL = %q, want %q", got, want)
	}
}

// TestS3LargeObject puts an object above minio-go's 16 MiB part size, so
// that it goes up as a multipart upload, and reads it back.
func TestS3LargeObject(t *testing.T) {
	s, srv := openS3(t, "big")
	ctx := context.Background()
	data := make([]byte, 17<<20+5)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	if err := s.Put(ctx, "large.arrow", data); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "large.arrow")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, differing from the %d written", len(got), len(data))
	}
	// A multipart upload's ETag ends in -<parts>.
	client, err := minio.New(strings.TrimPrefix(srv.Endpoint, "http://"), &minio.Options{
		Creds:        credentials.NewStaticV4(srv.AccessKey, srv.SecretKey, ""),
		BucketLookup: minio.BucketLookupPath,
	})
	if err != nil {
		t.Fatal(err)
	}
	info, err := client.StatObject(ctx, srv.Bucket, "big/large.arrow", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(info.ETag, "-") {
		t.Errorf("ETag %q: not a multipart upload", info.ETag)
	}
}

// TestS3SurvivesOutage stops the server, starts a Put, and starts the
// server again a few seconds later: the Put retries until it lands.
func TestS3SurvivesOutage(t *testing.T) {
	s, srv := openS3(t, "outage")
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}
	srv.Stop()
	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- s.Put(ctx, "after/outage", []byte("landed")) }()
	time.Sleep(3 * time.Second)
	select {
	case err := <-done:
		t.Fatalf("Put returned during the outage: %v", err)
	default:
	}
	srv.Start()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Put after the outage: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Put did not finish 30 s after the server came back")
	}
	t.Logf("Put took %s across a 3 s outage", time.Since(start).Round(time.Millisecond))
	if got, err := s.Get(ctx, "after/outage"); err != nil || string(got) != "landed" {
		t.Errorf("Get = %q, %v", got, err)
	}
}

func TestS3RetryStops(t *testing.T) {
	srv := testenv.StartS3(t)
	srv.Stop()
	ctx := context.Background()
	open := func(retryFor time.Duration) store.Store {
		s, err := store.Open(ctx, "s3://"+srv.Bucket, store.Options{
			Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey,
			RetryFor: retryFor,
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	tests := []struct {
		name     string
		retryFor time.Duration
		timeout  time.Duration
		want     string // in the error
		within   time.Duration
	}{
		{"context deadline", time.Minute, 1500 * time.Millisecond, "context deadline exceeded", 5 * time.Second},
		{"retry budget", 2 * time.Second, time.Minute, "gave up after", 6 * time.Second},
		{"no retries", -1, time.Minute, "connection refused", 3 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(ctx, tc.timeout)
			defer cancel()
			start := time.Now()
			err := open(tc.retryFor).Put(ctx, "k", []byte("v"))
			took := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Put: %v, want an error containing %q", err, tc.want)
			}
			t.Log(err)
			if took > tc.within {
				t.Errorf("Put took %s, want under %s", took, tc.within)
			}
		})
	}
}

func TestS3SecretsStayOut(t *testing.T) {
	srv := testenv.StartS3(t)
	const wrong = "wrong-secret-5f3a9c0d2b7e4a1f"
	opts := store.Options{
		Endpoint: srv.Endpoint, AccessKey: srv.AccessKey, SecretKey: wrong,
		SessionToken: "token-1c9e7b3f", RetryFor: 5 * time.Second,
	}
	s, err := store.Open(context.Background(), "s3://"+srv.Bucket+"/p", opts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var texts []string
	if err := s.Put(ctx, "k", []byte("v")); err == nil {
		t.Error("Put with a wrong secret succeeded")
	} else {
		texts = append(texts, err.Error())
	}
	if err := s.Check(ctx); err == nil {
		t.Error("Check with a wrong secret succeeded")
	} else {
		texts = append(texts, err.Error())
	}
	_, err = s.Get(ctx, "k")
	texts = append(texts, fmt.Sprint(err))
	texts = append(texts,
		s.String(), fmt.Sprintf("%v", s), fmt.Sprintf("%+v", s),
		fmt.Sprint(opts), fmt.Sprintf("%+v", opts), fmt.Sprintf("%#v", opts), fmt.Sprintf("%s", opts))

	// An endpoint that carries credentials is refused without echoing them.
	_, err = store.Open(context.Background(), "s3://b", store.Options{Endpoint: "http://user:" + wrong + "@127.0.0.1:1"})
	if err == nil {
		t.Error("an endpoint with a password was accepted")
	} else {
		texts = append(texts, err.Error())
	}
	for _, text := range texts {
		for _, secret := range []string{wrong, srv.SecretKey, opts.SessionToken} {
			if strings.Contains(text, secret) {
				t.Errorf("a secret shows in %q", text)
			}
		}
	}
	if !strings.Contains(fmt.Sprint(opts), "[redacted]") {
		t.Errorf("Options print as %v", opts)
	}
}

// TestS3OptionsFromEnvironment opens a store with nothing but the
// environment, as the AWS tools read it.
func TestS3OptionsFromEnvironment(t *testing.T) {
	srv := testenv.StartS3(t)
	env := map[string]string{
		"AWS_ENDPOINT_URL":      srv.Endpoint,
		"AWS_ACCESS_KEY_ID":     srv.AccessKey,
		"AWS_SECRET_ACCESS_KEY": srv.SecretKey,
		"AWS_REGION":            "us-east-1",
	}
	s, err := store.Open(context.Background(), "s3://"+srv.Bucket, store.Options{
		Getenv: func(k string) string { return env[k] },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(context.Background()); err != nil {
		t.Fatal(err)
	}
	if want := "s3://" + srv.Bucket + " at " + srv.Endpoint; s.String() != want {
		t.Errorf("String() = %q, want %q", s.String(), want)
	}
}
