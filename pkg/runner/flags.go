package runner

import (
	"context"
	"flag"

	"github.com/mrioflow/mrioflow/pkg/store"
)

// ProcessFlags are the command-line settings the coordinator and the
// worker share: where the health endpoint listens, the S3 endpoint and
// the table cache.
type ProcessFlags struct {
	HTTP       string // host:port of /healthz, /readyz and /metrics; "" for none
	S3Endpoint string // overrides $AWS_ENDPOINT_URL_S3 and $AWS_ENDPOINT_URL
	CacheDir   string // Options.CacheDir
	CacheMax   int64  // Options.CacheMax
}

// AddFlags registers --http, --s3-endpoint, --cache and --cache-max on
// fs. A --cache-max that is no size (20GB, 500MiB, 1.5TB, 4096) fails
// fs.Parse with an error that names the flag.
func (p *ProcessFlags) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&p.HTTP, "http", "", "`address` (host:port, or :port) where /healthz, /readyz and /metrics are served; none when empty")
	fs.StringVar(&p.S3Endpoint, "s3-endpoint", "", "`URL` of the S3 server, such as http://127.0.0.1:9000 (default $AWS_ENDPOINT_URL_S3, then $AWS_ENDPOINT_URL, then AWS)")
	fs.StringVar(&p.CacheDir, "cache", "", "`folder` where tables fetched from S3 are kept by content (default mrioflow/tables in the user's cache folder)")
	fs.Var(sizeFlag{&p.CacheMax}, "cache-max", "`size` (such as 20GB or 500MiB) beyond which the least recently used tables leave the cache after a download, except those read now or in the last "+cacheRecent.String()+"; 0 for no limit")
}

// StoreOpener opens stores with the S3 endpoint given, the rest of the
// settings from the environment.
func (p ProcessFlags) StoreOpener() StoreOpener {
	return func(ctx context.Context, location string) (store.Store, error) {
		return store.Open(ctx, location, store.Options{Endpoint: p.S3Endpoint})
	}
}

// EnvVars are the environment variables the stores read (see
// store.Options), for help texts.
var EnvVars = []string{
	"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION",
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
}
