package bus_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"

	"github.com/mrioflow/mrioflow/pkg/bus"
)

func TestConnectCredentials(t *testing.T) {
	url := startServer(t, &server.Options{Username: "w", Password: "right"})
	tests := []struct {
		name    string
		opts    bus.Options
		refused bool
	}{
		{"right password", bus.Options{User: "w", Password: "right"}, false},
		{"wrong password", bus.Options{User: "w", Password: "wrong"}, true},
		{"none", bus.Options{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			b, err := bus.Connect(ctxFor(t, 5*time.Second), url, tt.opts)
			if err == nil {
				b.Close()
			}
			if got := errors.Is(err, bus.ErrRefused); got != tt.refused {
				t.Fatalf("refused %v (%v), want %v", got, err, tt.refused)
			}
			if tt.refused {
				if strings.Contains(err.Error(), tt.opts.Password) && tt.opts.Password != "" {
					t.Errorf("the error shows the password: %v", err)
				}
				if time.Since(start) > 2*time.Second {
					t.Errorf("refusal took %s; want it at once", time.Since(start))
				}
			}
		})
	}
}

// startServer starts a server with opts on 127.0.0.1 and returns its URL.
func startServer(t *testing.T, opts *server.Options) string {
	t.Helper()
	opts.Host, opts.Port, opts.JetStream, opts.StoreDir = "127.0.0.1", server.RANDOM_PORT, true, t.TempDir()
	opts.NoSigs, opts.NoLog = true, true
	srv, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("server did not start")
	}
	t.Cleanup(srv.Shutdown)
	return srv.ClientURL()
}

func TestConnectTokenAndNKey(t *testing.T) {
	user, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := user.Seed()
	pub, _ := user.PublicKey()
	seedFile := filepath.Join(t.TempDir(), "user.nk")
	if err := os.WriteFile(seedFile, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	other, _ := nkeys.CreateUser()
	otherSeed, _ := other.Seed()
	otherFile := filepath.Join(t.TempDir(), "other.nk")
	os.WriteFile(otherFile, otherSeed, 0o600)

	tokenURL := startServer(t, &server.Options{Authorization: "s3cr3t-token"})
	nkeyURL := startServer(t, &server.Options{Nkeys: []*server.NkeyUser{{Nkey: pub}}})
	tests := []struct {
		name, url string
		opts      bus.Options
		refused   bool
	}{
		{"right token", tokenURL, bus.Options{Token: "s3cr3t-token"}, false},
		{"wrong token", tokenURL, bus.Options{Token: "guess"}, true},
		{"right nkey", nkeyURL, bus.Options{NKeyFile: seedFile}, false},
		{"unknown nkey", nkeyURL, bus.Options{NKeyFile: otherFile}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := bus.Connect(ctxFor(t, 5*time.Second), tt.url, tt.opts)
			if err == nil {
				b.Close()
			}
			if got := errors.Is(err, bus.ErrRefused); got != tt.refused || (!tt.refused && err != nil) {
				t.Fatalf("got %v, want refused %v", err, tt.refused)
			}
		})
	}
}

func TestConnectTLS(t *testing.T) {
	caFile, cert := selfSigned(t)
	url := startServer(t, &server.Options{
		TLS: true, TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
	})
	b, err := bus.Connect(ctxFor(t, 5*time.Second), url, bus.Options{RootCA: caFile})
	if err != nil {
		t.Fatalf("with the CA: %v", err)
	}
	b.Close()
	// Without it, the server's certificate is not trusted.
	if _, err := bus.Connect(ctxFor(t, 2*time.Second), url, bus.Options{}); err == nil || errors.Is(err, bus.ErrRefused) {
		t.Errorf("without the CA: %v, want a TLS error", err)
	}
}

// selfSigned makes a certificate for 127.0.0.1 that is its own authority,
// and returns the PEM file of the authority and the certificate.
func selfSigned(t *testing.T) (string, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "mrioflow test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}))
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return caFile, cert
}

func TestConnectWaitsForTheServer(t *testing.T) {
	// Nobody listens: Connect keeps trying until its context ends.
	start := time.Now()
	_, err := bus.Connect(ctxFor(t, 1500*time.Millisecond), "nats://127.0.0.1:1", bus.Options{})
	if err == nil || errors.Is(err, bus.ErrRefused) {
		t.Fatalf("got %v, want a connection error", err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("gave up after %s, want about the context's 1.5s", waited)
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"nats://127.0.0.1:4222", "nats://127.0.0.1:4222"},
		{"nats://u:secret@h:4222", "nats://xxx@h:4222"},
		{"nats://a:s1@h1:4222,nats://b:s2@h2:4222", "nats://xxx@h1:4222,nats://xxx@h2:4222"},
		{"tls://token@h", "tls://xxx@h"},
	}
	for _, tt := range tests {
		if got := bus.RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
