package tickets

import (
	"reflect"

	"switchboard/routing"
)

// The ticket records join the log's registry of record types, so readers
// that decode every record (exports, the live feed) know their payloads.
// routing may not import tickets, so tickets registers itself.
func init() {
	routing.Records[EvTicketCreated] = reflect.TypeFor[CreatedData]()
	routing.Records[EvTicketTransition] = reflect.TypeFor[TransitionData]()
	routing.Records[EvTicketOverdue] = reflect.TypeFor[OverdueData]()
}
