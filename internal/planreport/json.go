package planreport

import (
	"encoding/json"
	"io"

	"github.com/orq-ai/orq-operator/internal/controller"
)

// jsonPlan is the JSON form of a plan, for a bot: the counts, the exit code, each object's plan.
type jsonPlan struct {
	Summary  Summary                `json:"summary"`
	ExitCode int                    `json:"exitCode"`
	Objects  []controller.AgentPlan `json:"objects"`
}

func writeJSON(w io.Writer, plans []controller.AgentPlan) error {
	if plans == nil {
		plans = []controller.AgentPlan{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonPlan{Summary: Summarize(plans), ExitCode: ExitCode(plans), Objects: plans})
}
