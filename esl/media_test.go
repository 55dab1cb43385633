package esl

import "testing"

func TestMediaArg(t *testing.T) {
	for _, tt := range []struct {
		media []string
		want  string
		bad   bool
	}{
		{[]string{"sound:queue-youarenext"}, "queue-youarenext.wav", false},
		{[]string{"number:7"}, "digits/7.wav", false},
		{[]string{"number:20"}, "digits/20.wav", false},
		{[]string{"number:42"}, "file_string://digits/40.wav!digits/2.wav", false},
		{[]string{"number:90"}, "digits/90.wav", false},
		{[]string{"number:305"}, "file_string://digits/3.wav!digits/hundred.wav!digits/5.wav", false},
		{[]string{"number:200"}, "file_string://digits/2.wav!digits/hundred.wav", false},
		{[]string{"sound:queue-thereare", "number:3", "sound:queue-callswaiting"},
			"file_string://queue-thereare.wav!digits/3.wav!queue-callswaiting.wav", false},
		{[]string{"number:1000"}, "", true},
		{[]string{"number:-1"}, "", true},
		{[]string{"number:07"}, "", true},
		{[]string{"number:x"}, "", true},
		{[]string{"sound:a!b"}, "", true},
	} {
		got, err := mediaArg(tt.media)
		if (err != nil) != tt.bad || got != tt.want {
			t.Errorf("mediaArg(%q) = %q, %v; want %q (error %v)", tt.media, got, err, tt.want, tt.bad)
		}
	}
}
