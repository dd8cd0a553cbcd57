package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// bucket is a Store in an S3 bucket, under an optional prefix: key a/b is
// the object prefix/a/b.
type bucket struct {
	client   *minio.Client
	endpoint string // scheme://host, for messages
	name     string
	prefix   string // "" or a valid key, without slashes around it
	retryFor time.Duration
}

// clientRetries is how often minio-go itself tries one request; the store
// retries longer outages around it (see retry).
const clientRetries = 3

func openS3(rest string, o Options) (Store, error) {
	name, prefix, _ := strings.Cut(rest, "/")
	prefix = strings.TrimSuffix(prefix, "/")
	if err := s3utils.CheckValidBucketNameStrict(name); err != nil {
		return nil, fmt.Errorf("store: s3://%s: bucket name %q: %w", rest, name, err)
	}
	if prefix != "" {
		if err := ValidKey(prefix); err != nil {
			return nil, fmt.Errorf("store: s3://%s: prefix: %w", rest, err)
		}
	}
	u, err := url.Parse(o.Endpoint)
	if err != nil {
		// url.Error quotes the input, which may hold a password.
		return nil, fmt.Errorf("store: S3 endpoint is not a URL")
	}
	switch {
	case u.User != nil:
		return nil, fmt.Errorf("store: S3 endpoint %s holds credentials; set them in the options or the environment", u.Redacted())
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("store: S3 endpoint %s: scheme must be http or https", u.Redacted())
	case u.Host == "":
		return nil, fmt.Errorf("store: S3 endpoint %s has no host", u.Redacted())
	case u.Path != "" && u.Path != "/", u.RawQuery != "":
		return nil, fmt.Errorf("store: S3 endpoint %s: want scheme://host[:port] only", u.Redacted())
	}
	client, err := minio.New(u.Host, &minio.Options{
		// Without both keys, requests go unsigned.
		Creds:        credentials.NewStaticV4(o.AccessKey, o.SecretKey, o.SessionToken),
		Secure:       u.Scheme == "https",
		Region:       o.Region,
		BucketLookup: minio.BucketLookupPath,
		MaxRetries:   clientRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("store: S3 endpoint %s: %w", u.Redacted(), err)
	}
	return &bucket{
		client:   client,
		endpoint: u.Scheme + "://" + u.Host,
		name:     name,
		prefix:   prefix,
		retryFor: o.RetryFor,
	}, nil
}

func (b *bucket) String() string {
	loc := "s3://" + b.name
	if b.prefix != "" {
		loc += "/" + b.prefix
	}
	return loc + " at " + b.endpoint
}

func (b *bucket) URL(key string) string {
	mustKey(key)
	return "s3://" + b.name + "/" + b.object(key)
}

// object returns the object name of key: the prefix, a slash, the key.
func (b *bucket) object(key string) string {
	switch {
	case b.prefix == "":
		return key
	case key == "":
		return b.prefix + "/"
	}
	return b.prefix + "/" + key
}

func (b *bucket) Put(ctx context.Context, key string, data []byte) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	err := retry(ctx, b.retryFor, func(ctx context.Context) error {
		// Objects of 16 MiB and more go up in parts; S3 assembles them
		// only when the upload completes, so readers never see a part.
		_, err := b.client.PutObject(ctx, b.name, b.object(key),
			bytes.NewReader(data), int64(len(data)),
			minio.PutObjectOptions{ContentType: "application/octet-stream"})
		return err
	})
	if err != nil {
		return fmt.Errorf("store: put %s: %w", b.URL(key), err)
	}
	return nil
}

// streamPartSize is the size of the parts of a streamed upload, and so
// the memory it buffers. Left to itself minio-go, not knowing the size,
// would plan for an object of 5 TiB and buffer parts of over 500 MiB;
// 16 MiB parts (S3's limit is 10,000 of them) allow objects up to 160 GiB.
const streamPartSize = 16 << 20

// PutStream uploads what write writes as a multipart upload of
// streamPartSize parts, fed through a pipe, which S3 publishes only when
// it completes; minio-go aborts it on any error, so nothing of a failed
// stream is left visible (its parts are discarded). A failure that may
// pass (see retry) runs write again from the start and uploads anew,
// within Options.RetryFor counted from the first failure, so that a long
// stream that fails late is still tried again.
func (b *bucket) PutStream(ctx context.Context, key string, write func(io.Writer) error) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	err := retryFrom(ctx, b.retryFor, true, func(ctx context.Context) error {
		pr, pw := io.Pipe()
		ww := &watchedWriter{w: pw}
		done := make(chan error, 1)
		go func() {
			err := write(ww)
			pw.CloseWithError(err) // nil: the reader sees the end
			done <- err
		}()
		_, err := b.client.PutObject(ctx, b.name, b.object(key), pr, -1,
			minio.PutObjectOptions{ContentType: "application/octet-stream", PartSize: streamPartSize})
		// A write still under way fails at once, and write returns.
		pr.CloseWithError(errUploadStopped)
		werr := <-done
		if werr != nil && !ww.failed {
			return &writeError{werr}
		}
		return err
	})
	var own *writeError
	switch {
	case errors.As(err, &own):
		return own.err
	case err != nil:
		return fmt.Errorf("store: put %s: %w", b.URL(key), err)
	}
	return nil
}

// errUploadStopped fails the writes to a streamed upload that ended.
var errUploadStopped = errors.New("the upload stopped")

func (b *bucket) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ValidKey(key); err != nil {
		return nil, err
	}
	var data []byte
	err := retry(ctx, b.retryFor, func(ctx context.Context) error {
		obj, err := b.client.GetObject(ctx, b.name, b.object(key), minio.GetObjectOptions{})
		if err != nil {
			return err
		}
		defer obj.Close()
		data, err = io.ReadAll(obj)
		return err
	})
	switch {
	case err == nil:
		return data, nil
	case minio.ToErrorResponse(err).Code == minio.NoSuchKey:
		return nil, fmt.Errorf("store: get %s: %w", b.URL(key), ErrNotExist)
	}
	return nil, fmt.Errorf("store: get %s: %w", b.URL(key), err)
}

func (b *bucket) List(ctx context.Context, prefix string) ([]string, error) {
	if err := validPrefix(prefix); err != nil {
		return nil, err
	}
	full := b.object(prefix)
	strip := b.object("")
	var keys []string
	err := retry(ctx, b.retryFor, func(ctx context.Context) error {
		keys = keys[:0]
		ctx, cancel := context.WithCancel(ctx)
		defer cancel() // stops the lister if we return early
		for obj := range b.client.ListObjects(ctx, b.name, minio.ListObjectsOptions{Prefix: full, Recursive: true}) {
			if obj.Err != nil {
				return obj.Err
			}
			key := strings.TrimPrefix(obj.Key, strip)
			if strings.HasPrefix(key, reservedPrefix) || strings.Contains(key, "/"+reservedPrefix) {
				continue
			}
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: list s3://%s/%s: %w", b.name, full, err)
	}
	slices.Sort(keys)
	return keys, nil
}

func (b *bucket) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return err
	}
	err := retry(ctx, b.retryFor, func(ctx context.Context) error {
		return b.client.RemoveObject(ctx, b.name, b.object(key), minio.RemoveObjectOptions{})
	})
	if err != nil {
		return fmt.Errorf("store: delete %s: %w", b.URL(key), err)
	}
	return nil
}

// Check verifies that the bucket exists, then puts and deletes a probe
// object under the prefix, which proves the credentials may write.
func (b *bucket) Check(ctx context.Context) error {
	var exists bool
	err := retry(ctx, b.retryFor, func(ctx context.Context) error {
		var err error
		exists, err = b.client.BucketExists(ctx, b.name)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: check bucket %q at %s: %w", b.name, b.endpoint, err)
	}
	if !exists {
		return fmt.Errorf("store: check: bucket %q does not exist at %s", b.name, b.endpoint)
	}
	var id [8]byte
	rand.Read(id[:])
	probe := b.object(reservedPrefix + "check-" + hex.EncodeToString(id[:]))
	err = retry(ctx, b.retryFor, func(ctx context.Context) error {
		_, err := b.client.PutObject(ctx, b.name, probe, strings.NewReader("mrioflow"), 8,
			minio.PutObjectOptions{ContentType: "text/plain"})
		return err
	})
	if err == nil {
		err = retry(ctx, b.retryFor, func(ctx context.Context) error {
			return b.client.RemoveObject(ctx, b.name, probe, minio.RemoveObjectOptions{})
		})
	}
	if err != nil {
		return fmt.Errorf("store: check s3://%s/%s: cannot write: %w", b.name, probe, err)
	}
	return nil
}
