package aritest

import (
	"encoding/json"
	"fmt"
)

// Builders of ARI messages shaped like Asterisk 22's (see ari/testdata).
// Every message carries Timestamp.

// Timestamp is the time every built message carries.
const Timestamp = "2026-11-23T17:10:00.123+0000"

func js(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// Channel is an ARI Channel object in Stasis(switchboard,…) as
// GET /channels lists it and events embed it.
func Channel(id, state, caller, exten string) string {
	return ChannelIn(id, state, caller, exten, "Stasis", "switchboard")
}

// ChannelIn is a Channel at a given dialplan application.
func ChannelIn(id, state, caller, exten, app, appData string) string {
	return fmt.Sprintf(`{"id":%q,"name":"PJSIP/trunk-%s","state":%q,"protocol_id":"%s@127.0.0.1",`+
		`"caller":{"name":"","number":%q},"connected":{"name":"","number":""},"accountcode":"",`+
		`"dialplan":{"context":"from-trunk","exten":%q,"priority":2,"app_name":%q,"app_data":%q},`+
		`"creationtime":%q,"language":"en"}`, id, id, state, id, caller, exten, app, appData, Timestamp)
}

func event(typ string, fields string) string {
	return fmt.Sprintf(`{"type":%q,"timestamp":%q,%s,"asterisk_id":"02:fc:00:00:00:01","application":"switchboard"}`,
		typ, Timestamp, fields)
}

// StasisStart of channel id with caller number and dialled exten.
func StasisStart(id, caller, exten string, args ...string) string {
	if args == nil {
		args = []string{}
	}
	return event("StasisStart", fmt.Sprintf(`"args":%s,"channel":%s`, js(args), Channel(id, "Ring", caller, exten)))
}

// StasisEnd of channel id.
func StasisEnd(id string) string {
	return event("StasisEnd", `"channel":`+Channel(id, "Up", "", ""))
}

// ChannelStateChange of channel id to state ("Ringing", "Up", …).
func ChannelStateChange(id, state string) string {
	return event("ChannelStateChange", `"channel":`+ChannelIn(id, state, "", "", "AppDial2", "(Outgoing Line)"))
}

// ChannelHangupRequest of channel id (a hard one, with a Q.850 cause).
func ChannelHangupRequest(id string, cause int) string {
	return event("ChannelHangupRequest", fmt.Sprintf(`"cause":%d,"channel":%s`, cause, Channel(id, "Up", "", "")))
}

// ChannelDestroyed of channel id with a Q.850 cause.
func ChannelDestroyed(id string, cause int) string {
	return event("ChannelDestroyed", fmt.Sprintf(`"cause":%d,"cause_txt":"","channel":%s`,
		cause, ChannelIn(id, "Down", "", "", "AppDial2", "(Outgoing Line)")))
}

// ChannelDtmfReceived of digit on channel id.
func ChannelDtmfReceived(id, digit string, durationMS int) string {
	return event("ChannelDtmfReceived", fmt.Sprintf(`"digit":%q,"duration_ms":%d,"channel":%s`,
		digit, durationMS, Channel(id, "Up", "", "")))
}

// PlaybackFinished of playback id on channel (state "done" or "failed").
func PlaybackFinished(id, channel, state string) string {
	return event("PlaybackFinished", fmt.Sprintf(
		`"playback":{"id":%q,"media_uri":"sound:hello-world","target_uri":"channel:%s","language":"en","state":%q}`,
		id, channel, state))
}

// Bridge is an ARI Bridge object as GET /bridges lists it.
func Bridge(id string, channels ...string) string {
	if channels == nil {
		channels = []string{}
	}
	return fmt.Sprintf(`{"id":%q,"technology":"simple_bridge","bridge_type":"mixing","bridge_class":"stasis",`+
		`"creator":"Stasis","name":"","channels":%s,"creationtime":%q,"video_mode":"talker"}`,
		id, js(channels), Timestamp)
}

// LiveRecording is an ARI LiveRecording object of channel's recording
// name, with Asterisk 22's fields (talking and silence durations only when
// silence detection was on, which these builders leave off).
func LiveRecording(name, channel, state string, durationSeconds int) string {
	return fmt.Sprintf(`{"name":%q,"format":"wav","target_uri":"channel:%s","state":%q,"duration":%d}`,
		name, channel, state, durationSeconds)
}

// RecordingFinished of recording name on channel ("done" after a
// terminating digit, silence, the maximum length or a hang-up).
func RecordingFinished(name, channel string, durationSeconds int) string {
	return event("RecordingFinished", `"recording":`+LiveRecording(name, channel, "done", durationSeconds))
}

// RecordingFailed of recording name on channel, with Asterisk's cause.
func RecordingFailed(name, channel, cause string) string {
	return event("RecordingFailed", fmt.Sprintf(
		`"recording":{"name":%q,"format":"wav","target_uri":"channel:%s","state":"failed","cause":%q}`,
		name, channel, cause))
}

// BridgeRecordingFinished of recording name on bridge (a call recording:
// it ends when the bridge is destroyed).
func BridgeRecordingFinished(name, bridge string, durationSeconds int) string {
	return event("RecordingFinished", fmt.Sprintf(
		`"recording":{"name":%q,"format":"wav","target_uri":"bridge:%s","state":"done","duration":%d}`,
		name, bridge, durationSeconds))
}
