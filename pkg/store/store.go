package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// Store holds whole objects under slash-separated keys. Every method that
// takes a key rejects an invalid one (see ValidKey) before any I/O.
// Implementations are safe for concurrent use; two Puts of one key race,
// and one of them wins whole.
type Store interface {
	// Put stores data under key, replacing what was there. No reader sees
	// part of it: a Get returns the old object or the new one.
	Put(ctx context.Context, key string, data []byte) error
	// Get returns the object under key, or an error that matches
	// ErrNotExist when there is none.
	Get(ctx context.Context, key string) ([]byte, error)
	// List returns the keys that start with prefix, sorted. The prefix is a
	// plain string prefix ("year=2019/" or "year=20"); "" lists every key.
	List(ctx context.Context, prefix string) ([]string, error)
	// Delete removes the object under key. Deleting a missing key is not
	// an error.
	Delete(ctx context.Context, key string) error
	// Check verifies up front that the location can be written: for a
	// folder, that it can be created and written; for S3, that the bucket
	// exists and an object can be put and deleted. Its error names the
	// folder or the bucket.
	Check(ctx context.Context) error
	// URL returns where key lives, as a user would write it: a local path,
	// or s3://bucket/prefix/key. It panics on an invalid key.
	URL(key string) string
	// String names the location, without any secret.
	String() string
}

// ErrNotExist is matched (errors.Is) by the error of a Get of a missing key.
var ErrNotExist = errors.New("object does not exist")

// reservedPrefix starts the names of the temporary and probe objects the
// stores write themselves; keys may not use it.
const reservedPrefix = ".mrioflow-"

// maxKeyLen is S3's limit on the length of an object name, in bytes.
const maxKeyLen = 1024

// ValidKey returns nil if key is a valid object key, and otherwise an error
// that quotes the key and says what is wrong. A valid key is non-empty
// UTF-8 of at most 1024 bytes, made of segments separated by single
// slashes; no segment is empty, ".", ".." or starts with ".mrioflow-"; it
// holds no backslash and no control character.
func ValidKey(key string) error {
	bad := func(why string) error { return fmt.Errorf("store: invalid key %q: %s", key, why) }
	switch {
	case key == "":
		return bad("empty")
	case len(key) > maxKeyLen:
		return bad(fmt.Sprintf("longer than %d bytes", maxKeyLen))
	case !utf8.ValidString(key):
		return bad("not UTF-8")
	case strings.HasPrefix(key, "/"):
		return bad("starts with a slash")
	case strings.HasSuffix(key, "/"):
		return bad("ends with a slash")
	case strings.Contains(key, `\`):
		return bad("holds a backslash")
	}
	for _, r := range key {
		if r < 0x20 || r == 0x7f {
			return bad("holds a control character")
		}
	}
	for seg := range strings.SplitSeq(key, "/") {
		switch {
		case seg == "":
			return bad("has an empty segment")
		case seg == "." || seg == "..":
			return bad(fmt.Sprintf("has a %q segment", seg))
		case strings.HasPrefix(seg, reservedPrefix):
			return bad("uses the reserved prefix " + reservedPrefix)
		}
	}
	return nil
}

// validPrefix checks a List prefix: empty, or a key with one optional
// trailing slash.
func validPrefix(prefix string) error {
	if prefix == "" {
		return nil
	}
	if err := ValidKey(strings.TrimSuffix(prefix, "/")); err != nil {
		return fmt.Errorf("store: invalid prefix %q: %w", prefix, err)
	}
	return nil
}

// mustKey panics on an invalid key: for methods that cannot return errors.
func mustKey(key string) {
	if err := ValidKey(key); err != nil {
		panic(err)
	}
}

// Options configure the S3 stores; local folders ignore them. A zero
// Options takes everything from the environment, as the AWS tools do.
type Options struct {
	// Endpoint is the URL of the S3 server, such as http://127.0.0.1:7070
	// or https://s3.eu-west-1.amazonaws.com; its scheme decides TLS.
	// Default: $AWS_ENDPOINT_URL_S3, then $AWS_ENDPOINT_URL, then
	// https://s3.amazonaws.com.
	Endpoint string
	// Region is the bucket's region. Default: $AWS_REGION, then
	// $AWS_DEFAULT_REGION, then us-east-1.
	Region string
	// AccessKey, SecretKey and SessionToken sign requests. Default:
	// $AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY and $AWS_SESSION_TOKEN,
	// taken together when AccessKey is empty. With no keys at all,
	// requests go unsigned.
	AccessKey, SecretKey, SessionToken string
	// RetryFor bounds how long one call keeps retrying connection errors,
	// timeouts and 5xx answers, with backoff, within the caller's context.
	// Default (zero): one minute. Negative: no retries.
	RetryFor time.Duration
	// Getenv reads the environment. Default: os.Getenv.
	Getenv func(string) string
}

// DefaultRetryFor is the RetryFor of a zero Options.
const DefaultRetryFor = time.Minute

// withDefaults returns o with every empty field set from the environment or
// the defaults written above.
func (o Options) withDefaults() Options {
	env := o.Getenv
	if env == nil {
		env = os.Getenv
	}
	first := func(vals ...string) string {
		for _, v := range vals {
			if v != "" {
				return v
			}
		}
		return ""
	}
	o.Endpoint = first(o.Endpoint, env("AWS_ENDPOINT_URL_S3"), env("AWS_ENDPOINT_URL"), "https://s3.amazonaws.com")
	o.Region = first(o.Region, env("AWS_REGION"), env("AWS_DEFAULT_REGION"), "us-east-1")
	if o.AccessKey == "" {
		o.AccessKey = env("AWS_ACCESS_KEY_ID")
		o.SecretKey = env("AWS_SECRET_ACCESS_KEY")
		o.SessionToken = env("AWS_SESSION_TOKEN")
	}
	if o.RetryFor == 0 {
		o.RetryFor = DefaultRetryFor
	}
	o.Getenv = env
	return o
}

// String shows the options with the secret and the session token redacted.
func (o Options) String() string {
	redact := func(s string) string {
		if s == "" {
			return `""`
		}
		return "[redacted]"
	}
	return fmt.Sprintf("{Endpoint:%q Region:%q AccessKey:%q SecretKey:%s SessionToken:%s RetryFor:%v}",
		o.Endpoint, o.Region, o.AccessKey, redact(o.SecretKey), redact(o.SessionToken), o.RetryFor)
}

// GoString is String, so that %#v redacts too.
func (o Options) GoString() string { return "store.Options" + o.String() }

// Open returns the store at location: a local folder path (or file://
// URL), or s3://bucket/prefix. It does no I/O: call Check to find a
// location that cannot be written. It returns an error for another URL
// scheme, an invalid bucket name or prefix, or a malformed endpoint; ctx is
// unused and reserved for stores that must connect to open.
func Open(ctx context.Context, location string, opts Options) (Store, error) {
	_ = ctx
	scheme, rest, ok := strings.Cut(location, "://")
	if !ok {
		return openLocal(location)
	}
	switch scheme {
	case "file":
		return openLocal(rest)
	case "s3":
		return openS3(rest, opts.withDefaults())
	}
	return nil, fmt.Errorf("store: location %q: unknown scheme %q (want a folder or s3://bucket/prefix)", location, scheme)
}
