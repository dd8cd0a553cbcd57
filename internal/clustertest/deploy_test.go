//go:build unix

package clustertest

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/mrioflow/mrioflow/internal/testenv"
	"github.com/mrioflow/mrioflow/pkg/spec"
)

// binaries are the programs the image holds.
var binaries = []string{"coordinator", "worker"}

// help runs a built binary with args and returns what it printed; it must
// exit 0.
func help(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(binary(name), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// cli is what the binaries accept: the flags of each command, and the
// environment variables their help names.
type cli struct {
	flags map[string]map[string]bool // "worker", "coordinator run", "coordinator status"
	env   map[string]bool
}

func readCLI(t *testing.T) cli {
	t.Helper()
	c := cli{flags: map[string]map[string]bool{}, env: map[string]bool{}}
	flagLine := regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`)
	envName := regexp.MustCompile(`\b[A-Z][A-Z0-9_]{3,}\b`)
	for cmd, args := range map[string][]string{
		"worker":             {"worker", "-h"},
		"coordinator run":    {"coordinator", "run", "-h"},
		"coordinator status": {"coordinator", "status", "-h"},
	} {
		out := help(t, args[0], args[1:]...)
		c.flags[cmd] = map[string]bool{}
		for _, m := range flagLine.FindAllStringSubmatch(out, -1) {
			c.flags[cmd][m[1]] = true
		}
		if _, env, ok := strings.Cut(out, "Environment:"); ok {
			for _, name := range envName.FindAllString(env, -1) {
				c.env[name] = true
			}
		}
	}
	if !c.flags["worker"]["nats"] || !c.env["AWS_ENDPOINT_URL"] || !c.env["MRIOFLOW_NATS_PASSWORD"] {
		t.Fatalf("could not read the help of the binaries: %+v", c)
	}
	return c
}

// checkCommand checks a command line for the image: a binary it holds, a
// command it knows, and flags it accepts. defined are the variables a
// $(NAME) may refer to (Kubernetes expands them in args).
func (c cli) checkCommand(t *testing.T, where string, argv []string, defined map[string]bool) {
	t.Helper()
	if len(argv) == 0 || !slices.Contains(binaries, argv[0]) {
		t.Errorf("%s: command %q is not one of the image's binaries %v", where, argv, binaries)
		return
	}
	cmd, rest := argv[0], argv[1:]
	if cmd == "coordinator" {
		if len(rest) == 0 || (rest[0] != "run" && rest[0] != "status") {
			t.Errorf("%s: coordinator command %q: want run or status", where, argv)
			return
		}
		cmd, rest = cmd+" "+rest[0], rest[1:]
	}
	ref := regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)
	for _, a := range rest {
		for _, m := range ref.FindAllStringSubmatch(a, -1) {
			if !defined[m[1]] {
				t.Errorf("%s: argument %q refers to $(%s), which the container does not define", where, a, m[1])
			}
		}
		if !strings.HasPrefix(a, "-") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !c.flags[cmd][name] {
			t.Errorf("%s: %s has no flag %s", where, cmd, a)
		}
	}
}

// checkEnv checks that every variable set is one the binaries read.
func (c cli) checkEnv(t *testing.T, where string, names []string, extra map[string]bool) {
	t.Helper()
	for _, n := range names {
		if !c.env[n] && !extra[n] {
			t.Errorf("%s: variable %s is read by neither binary", where, n)
		}
	}
}

// imageTag is the image deploy/build-image.sh builds by default.
func imageTag(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "deploy", "build-image.sh"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`image=\$\{MRIOFLOW_IMAGE:-([^}]+)\}`).FindSubmatch(data)
	if m == nil {
		t.Fatal("deploy/build-image.sh names no default image")
	}
	return string(m[1])
}

// httpPort is the port of a --http flag in argv, "" when none.
func httpPort(argv []string) string {
	for i, a := range argv {
		if a == "--http" && i+1 < len(argv) {
			_, port, _ := strings.Cut(argv[i+1], ":")
			return port
		}
	}
	return ""
}

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
	} `yaml:"services"`
}

func TestComposeFile(t *testing.T) {
	c := readCLI(t)
	image := imageTag(t)
	data, err := os.ReadFile(filepath.Join(root, "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f composeFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	ours := map[string]int{}
	for name, s := range f.Services {
		where := "docker-compose.yml: " + name
		for _, v := range s.Volumes {
			if src, _, _ := strings.Cut(v, ":"); strings.HasPrefix(src, "./") {
				if _, err := os.Stat(filepath.Join(root, src)); err != nil {
					t.Errorf("%s: volume source %s: %v", where, src, err)
				}
			}
		}
		if s.Image != image {
			continue
		}
		ours[s.Command[0]]++
		c.checkCommand(t, where, s.Command, nil)
		c.checkEnv(t, where, slices.Collect(mapKeys(s.Environment)), nil)
	}
	if ours["worker"] != 2 || ours["coordinator"] != 1 {
		t.Errorf("services on %s: %v; want two workers and a coordinator", image, ours)
	}

	// The NATS service's command and configuration pass the server's own
	// check (natsd is nats-server built from the same module).
	nats := f.Services["nats"]
	args := slices.Clone(nats.Command)
	for i, a := range args {
		if a == "/etc/nats/nats.conf" {
			args[i] = filepath.Join(root, "deploy", "nats.conf")
		}
	}
	cmd := exec.Command(binary("natsd"), append(args, "-t")...)
	cmd.Env = append(os.Environ(), natsEnv()...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("nats service: natsd %s -t: %v\n%s", strings.Join(args, " "), err, out)
	}

	// The example job of the compose file is the repository's example,
	// with its table where the setup service uploads it.
	setup := strings.Join(f.Services["setup"].Command, "\n")
	m := regexp.MustCompile(`mc cp --recursive /data/(\S+?)/? local/(\S+?)/?\n`).FindStringSubmatch(setup + "\n")
	if m == nil {
		t.Fatalf("setup service: no mc cp of the example's table in %q", setup)
	}
	job, err := spec.Load(filepath.Join(root, "deploy", "compose", "ga-2019.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := job.Tables[0].Path, "s3://"+m[2]; got != want {
		t.Errorf("compose job reads %s; the setup service uploads to %s", got, want)
	}
	example, err := spec.Load(filepath.Join(root, "examples", "ga-2019.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(filepath.ToSlash(example.Tables[0].Path), m[1]) {
		t.Errorf("the example reads %s; the setup service uploads /data/%s", example.Tables[0].Path, m[1])
	}
	if a, b := sameJob(job), sameJob(example); a != b {
		t.Errorf("the compose job differs from examples/ga-2019.yaml beyond paths:\n%s\n%s", a, b)
	}

	if _, err := exec.LookPath("docker-compose"); err == nil {
		cmd := exec.Command("docker-compose", "-f", filepath.Join(root, "docker-compose.yml"), "config", "-q")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("docker-compose config: %v\n%s", err, out)
		}
	}
}

// sameJob is a job as JSON without its paths.
func sameJob(j *spec.Job) string {
	c := *j
	c.Output, c.Dir = "", ""
	c.Tables = slices.Clone(j.Tables)
	for i := range c.Tables {
		c.Tables[i].Path = ""
	}
	b, _ := json.Marshal(c)
	return string(b)
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// k8sObject is the part of a manifest the test reads.
type k8sObject struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Spec       struct {
		Replicas *int `yaml:"replicas"`
		Template struct {
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
	} `yaml:"spec"`
}

type podSpec struct {
	SecurityContext struct {
		RunAsNonRoot bool `yaml:"runAsNonRoot"`
		RunAsUser    int  `yaml:"runAsUser"`
	} `yaml:"securityContext"`
	Containers []struct {
		Name    string   `yaml:"name"`
		Image   string   `yaml:"image"`
		Command []string `yaml:"command"`
		Args    []string `yaml:"args"`
		Env     []struct {
			Name string `yaml:"name"`
		} `yaml:"env"`
		EnvFrom []struct {
			ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
			SecretRef    *struct{ Name string } `yaml:"secretRef"`
		} `yaml:"envFrom"`
		Ports []struct {
			ContainerPort int `yaml:"containerPort"`
		} `yaml:"ports"`
		LivenessProbe  *probe  `yaml:"livenessProbe"`
		ReadinessProbe *probe  `yaml:"readinessProbe"`
		VolumeMounts   []mount `yaml:"volumeMounts"`
	} `yaml:"containers"`
	Volumes []struct {
		Name      string                 `yaml:"name"`
		ConfigMap *struct{ Name string } `yaml:"configMap"`
	} `yaml:"volumes"`
}

type probe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port int    `yaml:"port"`
	} `yaml:"httpGet"`
}

type mount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
}

func readManifests(t *testing.T) []k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "deploy", "k8s", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in deploy/k8s: %v", err)
	}
	var objs []k8sObject
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind == "" {
				t.Errorf("%s: a document without kind", f)
			}
			objs = append(objs, o)
		}
	}
	return objs
}

func TestKubernetesManifests(t *testing.T) {
	c := readCLI(t)
	image := imageTag(t)
	objs := readManifests(t)
	config := map[string]map[string]string{} // ConfigMap or Secret name -> data
	for _, o := range objs {
		if o.Kind == "ConfigMap" || o.Kind == "Secret" {
			data := map[string]string{}
			for k, v := range o.Data {
				data[k] = v
			}
			for k, v := range o.StringData {
				data[k] = v
			}
			config[o.Metadata.Name] = data
		}
	}
	kinds := map[string]int{}
	for _, o := range objs {
		if o.Kind != "Deployment" && o.Kind != "Job" {
			continue
		}
		kinds[o.Kind]++
		where := "deploy/k8s: " + o.Kind + " " + o.Metadata.Name
		pod := o.Spec.Template.Spec
		if !pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser == 0 {
			t.Errorf("%s: not set to run as a non-root user", where)
		}
		if o.Kind == "Deployment" && (o.Spec.Replicas == nil || *o.Spec.Replicas < 1) {
			t.Errorf("%s: no replicas", where)
		}
		volumes := map[string]string{} // name -> ConfigMap
		for _, v := range pod.Volumes {
			volumes[v.Name] = ""
			if v.ConfigMap != nil {
				volumes[v.Name] = v.ConfigMap.Name
				if _, ok := config[v.ConfigMap.Name]; !ok {
					t.Errorf("%s: volume %s: no ConfigMap %s", where, v.Name, v.ConfigMap.Name)
				}
			}
		}
		for _, ct := range pod.Containers {
			if ct.Image != image {
				t.Errorf("%s: image %s, want %s", where, ct.Image, image)
			}
			argv := append(slices.Clone(ct.Command), ct.Args...)
			defined := map[string]bool{}
			for _, e := range ct.Env {
				defined[e.Name] = true
			}
			c.checkCommand(t, where, argv, defined)
			var set []string
			for _, ef := range ct.EnvFrom {
				var name string
				switch {
				case ef.ConfigMapRef != nil:
					name = ef.ConfigMapRef.Name
				case ef.SecretRef != nil:
					name = ef.SecretRef.Name
				}
				data, ok := config[name]
				if !ok {
					t.Errorf("%s: envFrom %q: no such ConfigMap or Secret", where, name)
				}
				set = append(set, slices.Collect(mapKeys(data))...)
			}
			c.checkEnv(t, where, set, nil)
			referenced := map[string]bool{}
			for _, a := range argv {
				for _, m := range regexp.MustCompile(`\$\((\w+)\)`).FindAllStringSubmatch(a, -1) {
					referenced[m[1]] = true
				}
			}
			var own []string
			for _, e := range ct.Env {
				own = append(own, e.Name)
			}
			c.checkEnv(t, where, own, referenced)

			port := httpPort(argv)
			if port == "" {
				t.Errorf("%s: no --http, so no probes", where)
			}
			for _, p := range []*probe{ct.LivenessProbe, ct.ReadinessProbe} {
				if p == nil || fmt.Sprint(p.HTTPGet.Port) != port || (p.HTTPGet.Path != "/healthz" && p.HTTPGet.Path != "/readyz") {
					t.Errorf("%s: probe %+v does not ask /healthz or /readyz on the --http port %s", where, p, port)
				}
			}
			// A job file given to the coordinator lives in a mounted
			// ConfigMap, and parses.
			if argv[0] == "coordinator" && len(argv) > 2 {
				checkMountedJob(t, where, argv[2], ct.VolumeMounts, volumes, config)
			}
		}
	}
	if kinds["Deployment"] != 1 || kinds["Job"] != 1 {
		t.Errorf("workloads %v; want a worker Deployment and a coordinator Job", kinds)
	}
}

// checkMountedJob checks that path, in a container, is a key of a
// mounted ConfigMap holding a job spec that parses.
func checkMountedJob(t *testing.T, where, path string, mounts []mount, volumes map[string]string, config map[string]map[string]string) {
	t.Helper()
	for _, m := range mounts {
		key, ok := strings.CutPrefix(path, m.MountPath+"/")
		if !ok || volumes[m.Name] == "" {
			continue
		}
		text, ok := config[volumes[m.Name]][key]
		if !ok {
			t.Errorf("%s: %s: ConfigMap %s has no key %s", where, path, volumes[m.Name], key)
			return
		}
		if _, err := spec.Parse([]byte(text), path, "/jobs"); err != nil {
			t.Errorf("%s: %s: %v", where, path, err)
		}
		return
	}
	t.Errorf("%s: job file %s is not in a mounted ConfigMap", where, path)
}

func TestImageContext(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(root, "deploy", "build-image.sh"), "--context", dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build-image.sh --context: %v\n%s", err, out)
	}
	dockerfile, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	// Every COPY source is in the context.
	for _, m := range regexp.MustCompile(`(?m)^COPY (?:--\S+ )*(.+) \S+$`).FindAllStringSubmatch(string(dockerfile), -1) {
		for _, src := range strings.Fields(m[1]) {
			if _, err := os.Stat(filepath.Join(dir, src)); err != nil {
				t.Errorf("Dockerfile copies %s: %v", src, err)
			}
		}
	}
	if !regexp.MustCompile(`(?m)^FROM scratch$`).Match(dockerfile) {
		t.Error("the image is not built FROM scratch")
	}
	user := regexp.MustCompile(`(?m)^USER (\S+)$`).FindSubmatch(dockerfile)
	if user == nil || strings.HasPrefix(string(user[1]), "0") || strings.HasPrefix(string(user[1]), "root") {
		t.Errorf("USER %q: want a non-root user", user)
	}
	// The binaries are static, or everything they load is in rootfs/:
	// run them with that loader and those libraries alone.
	rootfs := filepath.Join(dir, "rootfs")
	libDirs := map[string]bool{}
	filepath.WalkDir(rootfs, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			libDirs[filepath.Dir(p)] = true
		}
		return nil
	})
	for _, b := range binaries {
		p := filepath.Join(dir, "bin", b)
		interp, libs := dynamic(t, p)
		if interp == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(rootfs, interp)); err != nil {
			t.Errorf("%s asks for the loader %s, not in the image: %v", b, interp, err)
			continue
		}
		for _, lib := range libs {
			if !slices.ContainsFunc(slices.Collect(mapKeys(libDirs)), func(d string) bool {
				_, err := os.Stat(filepath.Join(d, lib))
				return err == nil
			}) {
				t.Errorf("%s needs %s, not in the image", b, lib)
			}
		}
		path := strings.Join(slices.Sorted(mapKeys(libDirs)), ":")
		out, err := exec.Command(filepath.Join(rootfs, interp), "--library-path", path, p, "-h").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "usage:") {
			t.Errorf("%s -h with the image's loader and libraries: %v\n%s", b, err, out)
		}
	}
}

// TestImageContextStatic: with GO_TAGS=nolapack the binaries leave the
// system LAPACK out and are fully static, so the image holds them, the
// CA bundle and nothing of this machine's libraries.
func TestImageContextStatic(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	dir := t.TempDir()
	cmd := exec.Command("bash", filepath.Join(root, "deploy", "build-image.sh"), "--context", dir)
	cmd.Env = append(os.Environ(), "GO_TAGS=nolapack")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("GO_TAGS=nolapack build-image.sh --context: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "the binaries are static") {
		t.Errorf("build-image.sh did not find the binaries static:\n%s", out)
	}
	for _, b := range binaries {
		p := filepath.Join(dir, "bin", b)
		if interp, libs := dynamic(t, p); interp != "" || len(libs) != 0 {
			t.Errorf("%s asks for %s and %v", b, interp, libs)
		}
		if out, err := exec.Command(p, "-h").CombinedOutput(); err != nil || !strings.Contains(string(out), "usage:") {
			t.Errorf("%s -h: %v\n%s", b, err, out)
		}
	}
	if left := testenv.FilesBelow(t, filepath.Join(dir, "rootfs")); len(left) != 0 {
		t.Errorf("rootfs holds %v; want nothing", left)
	}
}

// dynamic returns the program interpreter of an ELF file and the
// libraries it names; "" and none for a static binary.
func dynamic(t *testing.T, path string) (string, []string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer f.Close()
	var interp string
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			b, err := io.ReadAll(prog.Open())
			if err != nil {
				t.Fatal(err)
			}
			interp = strings.TrimRight(string(b), "\x00")
		}
	}
	libs, err := f.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	return interp, libs
}
