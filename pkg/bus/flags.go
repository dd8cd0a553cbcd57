package bus

import "flag"

// AddFlags registers the credential options on fs, for the binaries that
// connect to a server: --user, --password, --token, --creds, --nkey and
// --tlsca.
func (o *Options) AddFlags(fs *flag.FlagSet) {
	fs.StringVar(&o.User, "user", "", "NATS user name (with --password)")
	fs.StringVar(&o.Password, "password", "", "NATS password")
	fs.StringVar(&o.Token, "token", "", "NATS authentication token")
	fs.StringVar(&o.CredsFile, "creds", "", "NATS credentials `file` (JWT and nkey)")
	fs.StringVar(&o.NKeyFile, "nkey", "", "NATS nkey seed `file`")
	fs.StringVar(&o.RootCA, "tlsca", "", "PEM `file` of the certificate authority of the server's TLS certificate")
}
