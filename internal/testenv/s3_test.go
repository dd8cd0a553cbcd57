package testenv_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/mrioflow/mrioflow/internal/testenv"
)

func TestS3StopStart(t *testing.T) {
	s := testenv.StartS3(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client, err := minio.New(s.Endpoint[len("http://"):], &minio.Options{
		Creds:        credentials.NewStaticV4(s.AccessKey, s.SecretKey, ""),
		BucketLookup: minio.BucketLookupPath,
		MaxRetries:   1,
	})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := client.BucketExists(ctx, s.Bucket); err != nil || !ok {
		t.Fatalf("bucket %q exists = %v, %v", s.Bucket, ok, err)
	}
	want := []byte("kept across a restart")
	if _, err := client.PutObject(ctx, s.Bucket, "a/b", bytes.NewReader(want), int64(len(want)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}

	s.Stop()
	s.Stop() // twice is fine
	if resp, err := http.Get(s.Endpoint + "/"); err == nil {
		resp.Body.Close()
		t.Fatal("a stopped server answered")
	}

	s.Start()
	obj, err := client.GetObject(ctx, s.Bucket, "a/b", minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	got, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("after restart: %q, %v; want %q", got, err, want)
	}
}

func TestS3ReturnsFreshServers(t *testing.T) {
	e1, a1, s1, b1 := testenv.S3(t)
	e2, a2, s2, _ := testenv.S3(t)
	if e1 == e2 || a1 == a2 || s1 == s2 {
		t.Errorf("two servers share an endpoint or keys: %s %s", e1, e2)
	}
	if b1 == "" || s1 == "" {
		t.Error("empty bucket or secret")
	}
}
