package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	schedulekind "github.com/orq-ai/orq-operator/internal/kinds/agentschedule"
	"github.com/orq-ai/orq-operator/internal/orqclient"
)

// ScheduleRunner runs a schedule now: orqclient.Client's Post.
type ScheduleRunner interface {
	Post(ctx context.Context, e orqclient.Endpoint, parent, addr, sub, op string, body orqclient.Body) (orqclient.Body, error)
}

var _ ScheduleRunner = (*orqclient.Client)(nil)

// Triggered is a schedule run now.
type Triggered struct {
	// ID and AgentKey are the schedule's id and its agent's key in orq.
	ID, AgentKey string
	// KeyFrom says where the API key came from: ORQ_API_KEY, or the Agent's Secret.
	KeyFrom string
}

// RunSchedule asks orq to run now the schedule of the AgentSchedule namespace/name, read with c:
// POST /v3/agents/{status.agentKey}/schedules/{status.id}/execution, with the key of the
// schedule's workspace (see workspaceKey; envKey is ORQ_API_KEY, "" when unset). newAPI makes the
// client of a key. An AgentSchedule whose schedule orq does not hold yet is refused before any
// call; orq's refusal (an inactive schedule) is returned with orq's message.
func RunSchedule(ctx context.Context, c client.Reader, namespace, name, envKey string, newAPI func(key string) (ScheduleRunner, error)) (*Triggered, error) {
	s := &orqv1alpha1.AgentSchedule{}
	switch err := c.Get(ctx, client.ObjectKey{Namespace: namespace, Name: name}, s); {
	case apierrors.IsNotFound(err):
		return nil, fmt.Errorf("AgentSchedule %s/%s not found", namespace, name)
	case err != nil:
		return nil, fmt.Errorf("reading AgentSchedule %s/%s: %w", namespace, name, err)
	}
	if s.Status.ID == "" || s.Status.AgentKey == "" {
		return nil, fmt.Errorf("AgentSchedule %s/%s has no schedule in orq yet (its status records no id and agent key)%s: it can run once the operator has created it",
			namespace, name, readiness(s))
	}
	key, from, err := workspaceKey(ctx, c, s, envKey)
	if err != nil {
		return nil, err
	}
	api, err := newAPI(key)
	if err != nil {
		return nil, err
	}
	if _, err := api.Post(ctx, schedulekind.Endpoint, s.Status.AgentKey, s.Status.ID, "execution", "trigger schedule", nil); err != nil {
		return nil, refusal(err, s, s.Status.APIKeyHash == "")
	}
	return &Triggered{ID: s.Status.ID, AgentKey: s.Status.AgentKey, KeyFrom: from}, nil
}

// readiness is the Ready condition of a schedule, for messages: "; Ready is False: Reason: ...".
func readiness(s *orqv1alpha1.AgentSchedule) string {
	c := meta.FindStatusCondition(s.Status.Conditions, orqv1alpha1.ConditionReady)
	if c == nil {
		return ""
	}
	return fmt.Sprintf("; Ready is %s: %s: %s", c.Status, c.Reason, c.Message)
}

// refusal is orq's answer to a trigger, in its words; unsure: the key was not known to be the
// schedule's workspace's.
func refusal(err error, s *orqv1alpha1.AgentSchedule, unsure bool) error {
	var e *orqclient.Error
	if !errors.As(err, &e) || e.StatusCode < 400 || e.StatusCode >= 500 {
		return err
	}
	msg := fmt.Sprintf("orq refused to run schedule %s of agent %s (%d): %s", s.Status.ID, s.Status.AgentKey, e.StatusCode, e.Message)
	if e.Kind == orqclient.KindNotFound && unsure {
		msg += " (is the API key of another workspace? the schedule may also have been deleted in orq)"
	}
	return errors.New(msg)
}

// workspaceKey chooses the API key of the schedule's workspace among ORQ_API_KEY and the Secret
// its Agent names in spec.apiKeySecretRef (read when the user may read it): the one whose hash
// the schedule's status records (status.apiKeyHash, the key the operator uses for it), else
// ORQ_API_KEY, else the Secret's. It refuses a key the status shows to be of another workspace.
func workspaceKey(ctx context.Context, c client.Reader, s *orqv1alpha1.AgentSchedule, envKey string) (key, from string, err error) {
	type candidate struct{ key, from string }
	var candidates []candidate
	if envKey = strings.TrimSpace(envKey); envKey != "" {
		candidates = append(candidates, candidate{envKey, EnvAPIKey})
	}
	secretKey, source, secretErr := agentSecretKey(ctx, c, s)
	if secretKey != "" {
		candidates = append(candidates, candidate{secretKey, source})
	}
	want := s.Status.APIKeyHash
	for _, cand := range candidates {
		if want == "" || orqclient.KeyHash(cand.key) == want {
			return cand.key, cand.from, nil
		}
	}
	switch {
	case len(candidates) > 0:
		names := candidates[0].from
		if len(candidates) > 1 {
			names += " and " + candidates[1].from
		}
		return "", "", fmt.Errorf("%s: not the key of the workspace of AgentSchedule %s/%s (its status records key %s): set %s to that workspace's key",
			names, s.Namespace, s.Name, want, EnvAPIKey)
	case secretErr != nil:
		return "", "", fmt.Errorf("%s is not set, and %w", EnvAPIKey, secretErr)
	}
	return "", "", fmt.Errorf("%s is not set: a trigger calls orq with the key of the schedule's workspace", EnvAPIKey)
}

// agentSecretKey reads the API key of the schedule's Agent's spec.apiKeySecretRef, and names its
// source; "" when the Agent names none. An error says why a Secret it names could not be read.
func agentSecretKey(ctx context.Context, c client.Reader, s *orqv1alpha1.AgentSchedule) (string, string, error) {
	agent := &orqv1alpha1.Agent{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: s.Namespace, Name: s.Spec.AgentRef.Name}, agent); err != nil {
		return "", "", nil // no Agent to read a Secret of: only ORQ_API_KEY can do
	}
	ref := agent.Spec.APIKeySecretRef
	if ref == nil {
		return "", "", nil
	}
	source := fmt.Sprintf("Secret %s/%s key %s (spec.apiKeySecretRef of Agent %s)", s.Namespace, ref.Name, ref.Key, agent.Name)
	secret := &corev1.Secret{}
	if err := c.Get(ctx, client.ObjectKey{Namespace: s.Namespace, Name: ref.Name}, secret); err != nil {
		return "", "", fmt.Errorf("%s could not be read: %w", source, err)
	}
	key := strings.TrimSpace(string(secret.Data[ref.Key]))
	if key == "" {
		return "", "", fmt.Errorf("%s is empty or missing", source)
	}
	return key, source, nil
}
