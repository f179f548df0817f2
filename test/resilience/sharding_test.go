package resilience

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

var _ = Describe("Sharding", func() {
	It("splits the Agents between operator Deployments by label selector, without overlap", func() {
		ctx := context.Background()
		n := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "shards-"}}
		Expect(k8s.Create(ctx, n)).To(Succeed())
		shardA := startManager(managerOptions{apiKey: "shard-a", leaderElect: true, electionID: "shard-a", selector: labels.SelectorFromSet(labels.Set{"shard": "a"})})
		defer shardA.stop()
		shardB := startManager(managerOptions{apiKey: "shard-b", leaderElect: true, electionID: "shard-b", selector: labels.SelectorFromSet(labels.Set{"shard": "b"})})
		defer shardB.stop()

		for i, shard := range []string{"a", "b", "a", "b"} {
			agent := newAgent(n.Name, "shard-"+shard+"-"+string(rune('0'+i)))
			agent.Labels = map[string]string{"shard": shard}
			Expect(k8s.Create(ctx, agent)).To(Succeed())
			waitReady(ctx, agent)
		}
		unlabelled := newAgent(n.Name, "shard-none")
		Expect(k8s.Create(ctx, unlabelled)).To(Succeed())

		checked := 0
		for _, r := range orqAPI.Requests() {
			key := strings.TrimPrefix(r.Path, "/v2/agents/")
			if r.Method == http.MethodPost {
				var body struct {
					Key string `json:"key"`
				}
				Expect(json.Unmarshal(r.Body, &body)).To(Succeed())
				key = body.Key
			}
			if !strings.HasPrefix(key, "shard-a-") && !strings.HasPrefix(key, "shard-b-") {
				continue
			}
			checked++
			Expect(r.Token).To(Equal(key[:len("shard-a")]), "%s %s went through the other shard", r.Method, r.Path)
		}
		Expect(checked).To(BeNumerically(">=", 4))
		Consistently(func() int {
			n := 0
			for _, r := range orqAPI.Requests() {
				if r.Method == http.MethodPost && strings.Contains(string(r.Body), `"key":"shard-none"`) {
					n++
				}
			}
			return n
		}, syncPeriod, poll).Should(BeZero(), "an Agent of no shard is managed by neither")
	})
})
