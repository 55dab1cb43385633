package config

import (
	_ "embed"

	"switchboard/api"
	"switchboard/auth"
	"switchboard/backup"
	"switchboard/dialplan"
	"switchboard/followups"
	"switchboard/live"
	"switchboard/quality"
	"switchboard/routing"
	"switchboard/tickets"
	"switchboard/workforce"
)

//go:embed default.yaml
var defaultYAML []byte

// Config is the whole YAML file.
type Config struct {
	DataDir  string      `yaml:"data_dir"`
	Database string      `yaml:"database"` // SQLite file; default DATA_DIR/switchboard.db
	Store    StoreConfig `yaml:"store"`    // sqlite (database:) or postgres (store.go)
	// Cluster is several nodes on one PostgreSQL, one driving the PBX
	// under a lease (cluster.go).
	Cluster ClusterConfig `yaml:"cluster"`
	// Backups are scheduled copies of the SQLite database, keep N.
	Backups  backup.Config `yaml:"backups"`
	Listen   ListenConfig  `yaml:"listen"`
	LogLevel string        `yaml:"log_level"`
	// FlowsDir holds one YAML file per flow (NAME.yaml), beside or instead
	// of the flows: section; relative to the config file.
	FlowsDir string    `yaml:"flows_dir"`
	PBX      PBXConfig `yaml:"pbx"`
	// Dialplan is what `switchboard render` writes for the PBX.
	Dialplan dialplan.Config `yaml:"dialplan"`
	Reports  ReportsConfig   `yaml:"reports"`
	Exports  ExportsConfig   `yaml:"exports"`
	// Auth is sign-in: session lifetimes and limits on guessing.
	Auth auth.Config `yaml:"auth"`
	// Privacy is which roles see callers' full numbers.
	Privacy api.Privacy `yaml:"privacy"`
	// Wallboard is the wallboard's thresholds (wallboard.go).
	Wallboard live.WallboardConfig `yaml:"wallboard"`
	// Tickets is the ticket (工单) categories and SLA clocks.
	Tickets tickets.Config `yaml:"tickets"`
	// Quality is quality inspection (质检): scoring forms and sampling.
	Quality quality.Config `yaml:"quality"`
	// Workforce is shift templates and the floor's schedule deadlines (排班).
	Workforce workforce.Config `yaml:"workforce"`
	// FollowUps is the follow-up (回访) deadlines, attempts and the
	// appointments' morning window.
	FollowUps followups.Config `yaml:"followups"`
	// Clock sets the time Switchboard starts at (rehearsals, tests).
	Clock ClockConfig `yaml:"clock"`

	routing.Config `yaml:",inline"`
}

// PBXConfig says which PBX to drive and how to reach it.
type PBXConfig struct {
	Kind string    `yaml:"kind"` // asterisk | freeswitch
	Node string    `yaml:"node"`
	ARI  ARIConfig `yaml:"ari"`
	ESL  ESLConfig `yaml:"esl"`
}

// ESLConfig is how to reach FreeSWITCH's event socket (pbx.kind: freeswitch).
type ESLConfig struct {
	Addr     string `yaml:"addr"`     // mod_event_socket, "127.0.0.1:8021"
	Password string `yaml:"password"` // event_socket.conf.xml's password
	// OutboundListen is where Switchboard accepts the `socket` application's
	// connections ("127.0.0.1:8084"); empty: parked calls over the inbound
	// socket only.
	OutboundListen string `yaml:"outbound_listen"`
	// RecordingsDir is FreeSWITCH's recordings directory as Switchboard
	// sees it (an NFS mount, same path on both): messages are recorded
	// there and the API reads them from there; empty: FreeSWITCH's own
	// ${recordings_dir}, and recordings cannot be fetched.
	RecordingsDir string `yaml:"recordings_dir"`
}

// ARIConfig is how to reach Asterisk's REST interface.
type ARIConfig struct {
	URL      string `yaml:"url"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	App      string `yaml:"app"`
	// RecordingsDir is Asterisk's recordings directory
	// (astspooldir/recording) as Switchboard sees it, when both share it:
	// call recordings are read from there; empty: fetched over ARI.
	RecordingsDir string `yaml:"recordings_dir"`
}
