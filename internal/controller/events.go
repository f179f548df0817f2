package controller

import (
	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
)

// Event actions (the events.k8s.io "action" field).
const (
	actionCreate  = "Create"
	actionUpdate  = "Update"
	actionDelete  = "Delete"
	actionAdopt   = "Adopt"
	actionRefused = "Reconcile"
	actionObserve = "Observe"
)

func (r *AgentReconciler) event(agent *orqv1alpha1.Agent, eventType, reason, action, note string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(agent, nil, eventType, reason, action, note, args...)
	}
}
