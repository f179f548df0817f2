package v1alpha1

// The methods below are what the managed core (internal/managed) reads of every kind, so that it
// knows nothing else of them.

// Lifecycle fields of the standalone kinds.

func (a *Agent) ManagedPolicies() Policies           { return a.Spec.Policies }
func (a *Agent) Suspended() bool                     { return a.Spec.Suspend }
func (a *Agent) CredentialsRef() *SecretKeyReference { return a.Spec.APIKeySecretRef }
func (a *Agent) ReferenceConsent() []string          { return a.Spec.AllowReferencesFrom }
func (a *Agent) ManagedStatus() *ResourceStatus      { return &a.Status.ResourceStatus }

func (t *Tool) ManagedPolicies() Policies           { return t.Spec.Policies }
func (t *Tool) Suspended() bool                     { return t.Spec.Suspend }
func (t *Tool) CredentialsRef() *SecretKeyReference { return t.Spec.APIKeySecretRef }
func (t *Tool) ReferenceConsent() []string          { return t.Spec.AllowReferencesFrom }
func (t *Tool) ManagedStatus() *ResourceStatus      { return &t.Status.ResourceStatus }

func (k *KnowledgeBase) ManagedPolicies() Policies           { return k.Spec.Policies }
func (k *KnowledgeBase) Suspended() bool                     { return k.Spec.Suspend }
func (k *KnowledgeBase) CredentialsRef() *SecretKeyReference { return k.Spec.APIKeySecretRef }
func (k *KnowledgeBase) ReferenceConsent() []string          { return k.Spec.AllowReferencesFrom }
func (k *KnowledgeBase) ManagedStatus() *ResourceStatus      { return &k.Status.ResourceStatus }

func (m *MemoryStore) ManagedPolicies() Policies           { return m.Spec.Policies }
func (m *MemoryStore) Suspended() bool                     { return m.Spec.Suspend }
func (m *MemoryStore) CredentialsRef() *SecretKeyReference { return m.Spec.APIKeySecretRef }
func (m *MemoryStore) ReferenceConsent() []string          { return m.Spec.AllowReferencesFrom }
func (m *MemoryStore) ManagedStatus() *ResourceStatus      { return &m.Status.ResourceStatus }

// A schedule lives in its Agent's workspace, with its Agent's credentials; its spec.suspend
// deactivates it in orq rather than stopping the calls, and nothing references a schedule.

func (s *AgentSchedule) ManagedPolicies() Policies           { return s.Spec.Policies }
func (s *AgentSchedule) Suspended() bool                     { return false }
func (s *AgentSchedule) CredentialsRef() *SecretKeyReference { return nil }
func (s *AgentSchedule) ReferenceConsent() []string          { return nil }
func (s *AgentSchedule) ManagedStatus() *ResourceStatus      { return &s.Status.ResourceStatus }
