package cli

import (
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Cluster is the cluster of the kubeconfig, as kubectl finds it: KUBECONFIG, else
// ~/.kube/config, else the pod's own cluster.
type Cluster struct {
	config clientcmd.ClientConfig
}

// Kubeconfig is the cluster of the kubeconfig.
func Kubeconfig() Cluster { return ClusterOf("", "") }

// ClusterOf is the cluster of the kubeconfig file path (as kubectl's --kubeconfig; "" to find it
// as kubectl does) and its context named context ("" for the current one).
func ClusterOf(path, context string) Cluster {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = path
	return Cluster{config: clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context})}
}

// Reader is a client of the cluster; a command reads, never writes.
func (c Cluster) Reader() (client.Reader, error) {
	cfg, err := c.config.ClientConfig()
	if err != nil {
		return nil, err
	}
	return client.New(cfg, client.Options{Scheme: Scheme})
}

// Namespace is the namespace of the kubeconfig's current context ("default" when it names none).
func (c Cluster) Namespace() (string, error) {
	ns, _, err := c.config.Namespace()
	return ns, err
}
