// Package ansible holds no Go code: the directory holds the Ansible roles
// and playbooks that install `switchboard render` output on a PBX and
// Switchboard itself as a systemd service. Its end-to-end tests (build tag
// e2e) run those playbooks for real against the testbed's Asterisk root.
package ansible
