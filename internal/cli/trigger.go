package cli

import (
	"context"
	"fmt"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TriggerOptions are the flags of trigger.
type TriggerOptions struct {
	// Namespace of the AgentSchedule; "" for the kubeconfig context's.
	Namespace string
}

// Bind registers --namespace (the plugin adds -n; the manager binds -n too, see BindShort).
func (t *TriggerOptions) Bind(fs Flags) {
	fs.StringVar(&t.Namespace, "namespace", "", "Namespace of the AgentSchedule (default: the namespace of the kubeconfig's current context).")
}

// BindShort registers -n, the short form of --namespace, where flags have no short forms.
func (t *TriggerOptions) BindShort(fs Flags) {
	fs.StringVar(&t.Namespace, "n", "", "Short for --namespace.")
}

// TriggerUsage is the argument of trigger.
const TriggerUsage = "agentschedule/NAME"

// scheduleTypes are the names kubectl accepts for the AgentSchedule kind.
var scheduleTypes = []string{"agentschedule", "agentschedules", "orqschedule", "agentschedule.orq.ai", "agentschedules.orq.ai"}

// ScheduleName reads the AgentSchedule a trigger names: agentschedule/NAME, or agentschedule
// NAME, as kubectl takes them.
func ScheduleName(args []string) (string, error) {
	var typ, name string
	switch {
	case len(args) == 1 && strings.Contains(args[0], "/"):
		typ, name, _ = strings.Cut(args[0], "/")
	case len(args) == 2:
		typ, name = args[0], args[1]
	default:
		return "", fmt.Errorf("give one %s, not %q", TriggerUsage, args)
	}
	known := false
	for _, t := range scheduleTypes {
		known = known || strings.EqualFold(typ, t)
	}
	switch {
	case !known:
		return "", fmt.Errorf("only an AgentSchedule can be triggered (%s), not a %q", TriggerUsage, typ)
	case name == "" || strings.Contains(name, "/"):
		return "", fmt.Errorf("%q names no AgentSchedule: give %s", strings.Join(args, " "), TriggerUsage)
	}
	return name, nil
}

// Trigger runs now the schedule of the AgentSchedule named by args (see ScheduleName), read from
// the cluster, and prints what it did: 0 when orq took it, 1 on an error or orq's refusal (its
// message printed), 2 for arguments that name no AgentSchedule.
func Trigger(ctx context.Context, args []string, opts TriggerOptions, orq Orq, cluster Cluster, out Streams) int {
	name, err := ScheduleName(args)
	if err != nil {
		fmt.Fprintln(out.Err, "trigger:", err)
		return 2
	}
	ns := opts.Namespace
	if ns == "" {
		if ns, err = cluster.Namespace(); err != nil {
			fmt.Fprintln(out.Err, "trigger: the kubeconfig:", err)
			return 1
		}
	}
	c, err := cluster.Reader()
	if err != nil {
		fmt.Fprintln(out.Err, "trigger: the kubeconfig:", err)
		return 1
	}
	return trigger(ctx, c, ns, name, orq, out)
}

// trigger is Trigger on a cluster read with c.
func trigger(ctx context.Context, c client.Reader, namespace, name string, orq Orq, out Streams) int {
	newAPI := func(key string) (ScheduleRunner, error) { return orq.Client(key) }
	t, err := RunSchedule(ctx, c, namespace, name, orq.APIKey, newAPI)
	if err != nil {
		fmt.Fprintln(out.Err, "trigger:", err)
		return 1
	}
	fmt.Fprintf(out.Out, "agentschedule.orq.ai/%s triggered: orq runs schedule %s of agent %s now (within about 10 seconds)\n", name, t.ID, t.AgentKey)
	return 0
}
