package bus

import (
	"flag"
	"os"
)

// The environment variables that stand in for the connection flags, so
// that a secret need not appear on a command line.
const (
	EnvURL       = "MRIOFLOW_NATS_URL"
	EnvUser      = "MRIOFLOW_NATS_USER"
	EnvPassword  = "MRIOFLOW_NATS_PASSWORD"
	EnvToken     = "MRIOFLOW_NATS_TOKEN"
	EnvCredsFile = "MRIOFLOW_NATS_CREDS"
	EnvNKeyFile  = "MRIOFLOW_NATS_NKEY"
	EnvRootCA    = "MRIOFLOW_NATS_TLSCA"
)

// EnvVars lists the environment variables FromEnv and URLFromEnv read.
var EnvVars = []string{EnvURL, EnvUser, EnvPassword, EnvToken, EnvCredsFile, EnvNKeyFile, EnvRootCA}

// AddFlags registers the credential options on fs, for the binaries that
// connect to a server: --user, --password, --token, --creds, --nkey and
// --tlsca. After parsing, FromEnv fills the ones not given from the
// environment. The defaults stay empty so that help never shows a secret.
func (o *Options) AddFlags(fs *flag.FlagSet) {
	str := func(p *string, name, env, usage string) {
		fs.StringVar(p, name, "", usage+" (or $"+env+")")
	}
	str(&o.User, "user", EnvUser, "NATS user name (with --password)")
	str(&o.Password, "password", EnvPassword, "NATS password; prefer the environment variable")
	str(&o.Token, "token", EnvToken, "NATS authentication token")
	str(&o.CredsFile, "creds", EnvCredsFile, "NATS credentials `file` (JWT and nkey)")
	str(&o.NKeyFile, "nkey", EnvNKeyFile, "NATS nkey seed `file`")
	str(&o.RootCA, "tlsca", EnvRootCA, "PEM `file` of the certificate authority of the server's TLS certificate")
}

// FromEnv sets each credential not given from its environment variable
// (EnvUser, EnvPassword, ...).
func (o *Options) FromEnv() {
	for _, f := range []struct {
		p   *string
		env string
	}{
		{&o.User, EnvUser}, {&o.Password, EnvPassword}, {&o.Token, EnvToken},
		{&o.CredsFile, EnvCredsFile}, {&o.NKeyFile, EnvNKeyFile}, {&o.RootCA, EnvRootCA},
	} {
		if *f.p == "" {
			*f.p = os.Getenv(f.env)
		}
	}
}

// URLFromEnv is url, or $MRIOFLOW_NATS_URL when url is empty.
func URLFromEnv(url string) string {
	if url == "" {
		return os.Getenv(EnvURL)
	}
	return url
}
