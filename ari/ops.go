package ari

// operation is one ARI REST call the client makes. The table below is the
// only place paths and parameters are written down: the client builds every
// request from it, and spec_test.go checks it against Asterisk's own
// rest-api/*.json, so a typo or a parameter Asterisk does not know fails a
// test instead of a call.
type operation struct {
	// Name labels metrics and errors ("answer", "hangup", …).
	Name   string
	Method string
	// Path is the template exactly as Asterisk's spec writes it, without the
	// /ari prefix: "/channels/{channelId}/answer".
	Path string
	// Query lists the query parameters the client may send.
	Query []string
	// Body is set when the client sends a JSON body.
	Body bool
	// Values are the only values the client sends for these query
	// parameters; the spec test checks them against the spec's
	// allowableValues, and the client refuses any other.
	Values map[string][]string
}

// The operations the driver uses.
var (
	opEvents = operation{Name: "events", Method: "GET", Path: "/events",
		Query: []string{"app", "subscribeAll"}}
	opEventFilter = operation{Name: "event_filter", Method: "PUT",
		Path: "/applications/{applicationName}/eventFilter", Body: true}
	opSubscribe = operation{Name: "subscribe", Method: "POST",
		Path: "/applications/{applicationName}/subscription", Query: []string{"eventSource"}}
	opUnsubscribe = operation{Name: "unsubscribe", Method: "DELETE",
		Path: "/applications/{applicationName}/subscription", Query: []string{"eventSource"}}
	opGetApp        = operation{Name: "get_application", Method: "GET", Path: "/applications/{applicationName}"}
	opListEndpoints = operation{Name: "list_endpoints", Method: "GET", Path: "/endpoints/{tech}"}
	opListChannels  = operation{Name: "list_channels", Method: "GET", Path: "/channels"}
	opListBridges   = operation{Name: "list_bridges", Method: "GET", Path: "/bridges"}
	opAnswer        = operation{Name: "answer", Method: "POST", Path: "/channels/{channelId}/answer"}
	opRing          = operation{Name: "ring", Method: "POST", Path: "/channels/{channelId}/ring"}
	opPlay          = operation{Name: "play", Method: "POST", Path: "/channels/{channelId}/play/{playbackId}",
		Query: []string{"media"}}
	opStopPlayback = operation{Name: "stop_playback", Method: "DELETE", Path: "/playbacks/{playbackId}"}
	opStartMOH     = operation{Name: "start_moh", Method: "POST", Path: "/channels/{channelId}/moh",
		Query: []string{"mohClass"}}
	opStopMOH   = operation{Name: "stop_moh", Method: "DELETE", Path: "/channels/{channelId}/moh"}
	opOriginate = operation{Name: "originate", Method: "POST", Path: "/channels/{channelId}",
		Query: []string{"endpoint", "app", "callerId", "timeout"}, Body: true}
	opCreateBridge = operation{Name: "create_bridge", Method: "POST", Path: "/bridges/{bridgeId}",
		Query: []string{"type"}}
	opAddChannel = operation{Name: "add_channel", Method: "POST", Path: "/bridges/{bridgeId}/addChannel",
		Query: []string{"channel"}}
	opRemoveChannel = operation{Name: "remove_channel", Method: "POST", Path: "/bridges/{bridgeId}/removeChannel",
		Query: []string{"channel"}}
	opMute = operation{Name: "mute", Method: "POST", Path: "/channels/{channelId}/mute",
		Query: []string{"direction"}, Values: map[string][]string{"direction": {"in"}}}
	opUnmute = operation{Name: "unmute", Method: "DELETE", Path: "/channels/{channelId}/mute",
		Query: []string{"direction"}, Values: map[string][]string{"direction": {"in"}}}
	opDestroyBridge = operation{Name: "destroy_bridge", Method: "DELETE", Path: "/bridges/{bridgeId}"}
	opHangup        = operation{Name: "hangup", Method: "DELETE", Path: "/channels/{channelId}",
		Query: []string{"reason_code", "reason"}, Values: map[string][]string{"reason": {"normal"}}}
	opRecord = operation{Name: "record", Method: "POST", Path: "/channels/{channelId}/record",
		Query: []string{"name", "format", "maxDurationSeconds", "maxSilenceSeconds", "beep", "terminateOn", "ifExists"}}
	opSnoop = operation{Name: "snoop", Method: "POST", Path: "/channels/{channelId}/snoop/{snoopId}",
		Query: []string{"spy", "whisper", "app"}, Values: map[string][]string{"spy": {"both"}, "whisper": {"none", "out"}}}
	opRecordingFile = operation{Name: "recording_file", Method: "GET",
		Path: "/recordings/stored/{recordingName}/file"}
	opRecordBridge = operation{Name: "record_bridge", Method: "POST", Path: "/bridges/{bridgeId}/record",
		Query: []string{"name", "format", "ifExists", "beep", "terminateOn"}}
	opPauseRecording = operation{Name: "pause_recording", Method: "POST",
		Path: "/recordings/live/{recordingName}/pause"}
	opUnpauseRecording = operation{Name: "unpause_recording", Method: "DELETE",
		Path: "/recordings/live/{recordingName}/pause"}
	opStopRecording = operation{Name: "stop_recording", Method: "POST",
		Path: "/recordings/live/{recordingName}/stop"}
	opDeleteStored = operation{Name: "delete_recording", Method: "DELETE",
		Path: "/recordings/stored/{recordingName}"}
)

// operations is every entry above, for the spec conformance test and for
// pre-registering metric labels.
var operations = []operation{
	opEvents, opEventFilter, opListChannels, opListBridges, opAnswer, opRing, opPlay,
	opStopPlayback, opOriginate, opCreateBridge, opAddChannel, opDestroyBridge, opHangup,
	opRecord, opRecordingFile, opRecordBridge, opPauseRecording, opUnpauseRecording, opStopRecording, opDeleteStored, opSnoop, opSubscribe, opUnsubscribe, opGetApp, opListEndpoints,
	opStartMOH, opStopMOH, opRemoveChannel, opMute, opUnmute,
}
