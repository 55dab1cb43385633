package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"switchboard/config"
	"switchboard/dialplan"
)

// renderFlags are render's own flags.
type renderFlags struct {
	pbx, out *string
}

// addRenderFlags registers --pbx and --out on fs when cmd is render (other
// commands keep rejecting them).
func addRenderFlags(fs *flag.FlagSet, cmd string) renderFlags {
	if cmd != "render" {
		return renderFlags{}
	}
	return renderFlags{
		pbx: fs.String("pbx", "", "PBX to render for: "+strings.Join(dialplan.PBXs, "|")),
		out: fs.String("out", "", "directory to write the files into"),
	}
}

// render writes the PBX's files (dialplan, trunks, phones, control-link
// credentials) from the config's dialplan and pbx.ari / pbx.esl sections.
func render(cfg *config.Config, f renderFlags, stdout io.Writer) error {
	var errs []error
	if *f.pbx == "" {
		errs = append(errs, errors.New("--pbx: required ("+strings.Join(dialplan.PBXs, "|")+")"))
	}
	if *f.out == "" {
		errs = append(errs, errors.New("--out: required"))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	link := dialplan.Link{
		User: cfg.PBX.ARI.User, Password: cfg.PBX.ARI.Password, App: cfg.PBX.ARI.App,
		ESLAddr: cfg.PBX.ESL.Addr, ESLPassword: cfg.PBX.ESL.Password, ESLOutbound: cfg.PBX.ESL.OutboundListen,
	}
	files, err := dialplan.Render(*f.pbx, &cfg.Dialplan, link)
	if err != nil {
		return err
	}
	if err := dialplan.Write(*f.out, files); err != nil {
		return err
	}
	for _, file := range files {
		fmt.Fprintln(stdout, file.Name)
	}
	return nil
}
