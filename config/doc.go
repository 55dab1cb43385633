// Package config owns Switchboard's configuration file: the built-in
// default (default.yaml), loading a file over it, strict YAML (an unknown
// key is an error with its line), validation reporting every problem as
// FILE:LINE: key: problem, flows kept in their own files (flows_dir), and
// the routing sections edited in the admin page, saved as versions and
// laid over the file (Editor).
//
// Defaults: a file is decoded over its defaults, so a key the file leaves
// out keeps the default and a key it sets keeps its value, an explicit 0
// included; a 0 that means nothing is an error naming the key (see
// routing.NewConfig for the rule in the routing sections). Maps and
// optional (pointer) sections the file names replace the built-in ones;
// other sections are laid over key by key.
//
// It imports the packages whose settings it holds (routing, dialplan,
// auth, live, report, api for the privacy and problem types, store for
// config versions). None of them imports config: main wires its values
// into them, so there is no cycle.
package config
