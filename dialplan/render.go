package dialplan

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

//go:embed templates
var templates embed.FS

// PBXs are the PBX kinds Render knows, in the order usage lists them.
var PBXs = []string{"asterisk", "freeswitch"}

// File is one rendered file; Name is relative to the PBX's configuration
// directory (/etc/asterisk, /etc/freeswitch).
type File struct {
	Name string
	Data []byte
}

// outputs lists, per PBX, each template and the file it becomes ({{.}} in
// a name is the FreeSWITCH context).
var outputs = map[string][][2]string{
	"asterisk": {
		{"asterisk/extensions.conf.tmpl", "extensions.conf"},
		{"asterisk/pjsip.conf.tmpl", "pjsip.conf"},
		{"asterisk/ari.conf.tmpl", "ari.conf"},
		{"asterisk/http.conf.tmpl", "http.conf"},
	},
	"freeswitch": {
		{"freeswitch/switchboard.xml.tmpl", "dialplan/%s/00_switchboard.xml"},
		{"freeswitch/event_socket.conf.xml.tmpl", "autoload_configs/event_socket.conf.xml"},
		{"freeswitch/trunks.xml.tmpl", "sip_profiles/external/switchboard_trunks.xml"},
	},
}

// ErrUnknownPBX is returned for a PBX kind Render does not know.
var ErrUnknownPBX = errors.New("unknown pbx")

// Render validates c and l and renders the files pbx needs, in a fixed order.
func Render(pbx string, c *Config, l Link) ([]File, error) {
	outs, ok := outputs[pbx]
	if !ok {
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownPBX, pbx, strings.Join(PBXs, ", "))
	}
	if err := errors.Join(c.Validate(), l.validate(pbx, c)); err != nil {
		return nil, err
	}
	v := newView(c, l)
	files := make([]File, 0, len(outs))
	for _, o := range outs {
		t, err := template.New(filepath.Base(o[0])).Funcs(funcs).ParseFS(templates, "templates/"+o[0])
		if err != nil {
			return nil, fmt.Errorf("dialplan: template %s: %w", o[0], err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, v); err != nil {
			return nil, fmt.Errorf("dialplan: template %s: %w", o[0], err)
		}
		name := o[1]
		if strings.Contains(name, "%s") {
			name = fmt.Sprintf(name, c.Switch.Context)
		}
		files = append(files, File{Name: name, Data: b.Bytes()})
	}
	return files, nil
}

// Write writes files under dir, creating directories; a file whose bytes
// are already there is left alone, so its modification time says when it
// last changed. Each file is replaced atomically (a temporary file in the
// same directory, synced, then renamed over it): a PBX reloading while
// render runs, or a render cut short by a full disk, sees the old file or
// the new one, never half of one.
func Write(dir string, files []File) error {
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := replaceFile(p, f.Data); err != nil {
			return fmt.Errorf("dialplan: write %s: %w", p, err)
		}
	}
	return nil
}

// replaceFile writes data to p through a temporary file and a rename.
func replaceFile(p string, data []byte) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	// ari.conf holds the ARI password, event_socket.conf.xml the ESL one.
	if err = tmp.Chmod(0o640); err != nil {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// view is what the templates see.
type view struct {
	*Config
	Link         Link
	HTTPAddr     string
	HTTPPort     string
	Transports   []string // pjsip transports: udp, and tcp when a trunk uses it
	AsteriskRing string   // Dial() argument: PJSIP/1001&PJSIP/1002
	SwitchRing   string   // bridge argument: user/1001@${domain_name},…
	DIDRegexps   []string
	SocketAddr   string // where the socket application connects
	ESLAddr      string // event_socket.conf.xml listen-ip
	ESLPort      string // and listen-port
}

func newView(c *Config, l Link) *view {
	v := &view{Config: c, Link: l, Transports: []string{"udp"}}
	v.HTTPAddr, v.HTTPPort, _ = net.SplitHostPort(c.Asterisk.HTTPBind)
	listen := c.Switch.EventSocket.Listen
	if listen == "" {
		listen = l.ESLAddr
	}
	v.ESLAddr, v.ESLPort, _ = net.SplitHostPort(listen)
	v.SocketAddr = c.Switch.Socket
	if v.SocketAddr == "" {
		v.SocketAddr = l.ESLOutbound
	}
	for _, t := range c.Trunks {
		if t.Transport == "tcp" {
			v.Transports = append(v.Transports, "tcp")
			break
		}
	}
	var ast, fs []string
	for _, r := range c.Fallback.Ring {
		ast = append(ast, "PJSIP/"+r)
		fs = append(fs, "user/"+r+"@${domain_name}")
	}
	v.AsteriskRing = strings.Join(ast, "&")
	v.SwitchRing = strings.Join(fs, ",")
	for _, d := range c.DIDs {
		v.DIDRegexps = append(v.DIDRegexps, DIDRegexp(d))
	}
	return v
}

var funcs = template.FuncMap{
	"join": strings.Join,
	// own: a phone's or trunk's own value, else the default.
	"own": func(own *Seconds, def Seconds) Seconds {
		if own != nil {
			return *own
		}
		return def
	},
	"ms":  func(s Seconds) int { return int(s) * 1000 },
	"xml": xmlEscape,
	"codecs": func(own, def []string) string {
		if len(own) > 0 {
			return strings.Join(own, ",")
		}
		return strings.Join(def, ",")
	},
	"port": func(p int) int {
		if p == 0 {
			return 5060
		}
		return p
	},
	"transport": func(t string) string {
		if t == "" {
			return "udp"
		}
		return t
	},
	// mailbox splits "100@default" into the box and its context ("default"
	// when none is given).
	"mailbox": func(m string) []string {
		box, ctx, ok := strings.Cut(m, "@")
		if !ok {
			ctx = "default"
		}
		return []string{box, ctx}
	},
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }

// DIDRegexp turns a DID (a number, or an Asterisk pattern like "_0800XXX.")
// into the anchored regular expression FreeSWITCH matches
// destination_number with; the whole number is captured as $1.
func DIDRegexp(did string) string {
	if !strings.HasPrefix(did, "_") {
		return "^(" + regexp.QuoteMeta(did) + ")$"
	}
	var b strings.Builder
	b.WriteString("^(")
	p := did[1:]
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case 'X', 'x':
			b.WriteString("[0-9]")
		case 'Z', 'z':
			b.WriteString("[1-9]")
		case 'N', 'n':
			b.WriteString("[2-9]")
		case '.':
			b.WriteString(".+")
		case '!':
			b.WriteString(".*")
		case '[':
			j := strings.IndexByte(p[i:], ']')
			if j < 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(p[i : i+j+1])
			i += j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(")$")
	return b.String()
}
