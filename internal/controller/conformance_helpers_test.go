package controller

import (
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	orqv1alpha1 "github.com/orq-ai/orq-operator/api/v1alpha1"
	"github.com/orq-ai/orq-operator/internal/managed"
	"github.com/orq-ai/orq-operator/internal/orqmem"
)

// conformer runs the conformance specs of one kind: the kind as registered, and its fixture.
type conformer struct {
	kind managed.Kind
	fx   *conformanceFixture
}

// names are the name and remote key of the object of one spec ("point"): unique in the suite,
// since every namespace reaches the one workspace of the in-memory API. The key takes '_' only,
// which every kind's key pattern allows.
func (c conformer) names(point string) (name, key string) {
	slug := strings.ToLower(c.kind.Name())
	return "conf-" + slug + "-" + point, "conf_" + slug + "_" + point
}

// newObject returns, in a new namespace, an object of the kind for one spec, not yet created,
// with what it needs (prepare) created first.
func (c conformer) newObject(ctx context.Context, point string) (string, managed.Object) {
	GinkgoHelper()
	ns := newNamespace(ctx, "conf-"+strings.ToLower(c.kind.Name())+"-")
	return ns, c.newObjectIn(ctx, ns, point)
}

// newObjectIn is newObject in namespace ns.
func (c conformer) newObjectIn(ctx context.Context, ns, point string) managed.Object {
	GinkgoHelper()
	name, key := c.names(point)
	if c.fx.prepare != nil {
		c.fx.prepare(ctx, ns, name, key)
	}
	return c.fx.build(ns, name, key)
}

// createReady creates an object and waits until it is Ready.
func (c conformer) createReady(ctx context.Context, o managed.Object) {
	GinkgoHelper()
	Expect(k8s.Create(ctx, o)).To(Succeed())
	waitObjectReady(ctx, o)
}

// collection is the path of the collection o's remote object lives in.
func (c conformer) collection(o managed.Object) string {
	GinkgoHelper()
	parent := ""
	if c.fx.parent != nil {
		parent = c.fx.parent(o)
	}
	return strings.Replace(c.kind.Endpoint().Path, "{parent}", parent, 1)
}

// address is how the collection addresses o's remote object whose id is id: by that id, or by
// o's key.
func (c conformer) address(o managed.Object, id string) string {
	if c.kind.Endpoint().ByID {
		return id
	}
	return o.RemoteKey()
}

// remote is o's remote object, as its status records it, in the in-memory API.
func (c conformer) remote(o managed.Object) (map[string]any, bool) {
	return c.fx.inspect(c.address(o, o.ManagedStatus().ID))
}

// calls lists the recorded requests about o's remote object: those addressed to it (by its
// recorded id, any of ids, or its key) and the creates of it (a POST of its key; for a kind
// without keys, any POST to its collection, which only its spec uses). Listings are no calls
// about one object.
func (c conformer) calls(o managed.Object, ids ...string) []orqmem.Request {
	GinkgoHelper()
	return c.callsIn(orqAPI.Requests(), o, ids...)
}

// callsIn is calls among the requests reqs.
func (c conformer) callsIn(reqs []orqmem.Request, o managed.Object, ids ...string) []orqmem.Request {
	GinkgoHelper()
	collection := c.collection(o)
	items := map[string]bool{}
	for _, id := range append(ids, o.ManagedStatus().ID) {
		if addr := c.address(o, id); addr != "" {
			items[collection+"/"+addr] = true
		}
	}
	var out []orqmem.Request
	for _, r := range reqs {
		if items[r.Path] || (r.Method == http.MethodPost && r.Path == collection && c.createsKey(o, r.Body)) {
			out = append(out, r)
		}
	}
	return out
}

// createsKey tells whether a create body is for o's key (any, for a kind without keys).
func (c conformer) createsKey(o managed.Object, body []byte) bool {
	if c.kind.Endpoint().Keyless {
		return true
	}
	var b struct {
		Key string `json:"key"`
	}
	return json.Unmarshal(body, &b) == nil && b.Key == o.RemoteKey()
}

// writes are the calls about o (see calls) of these methods; every method but GET when none.
func (c conformer) writes(o managed.Object, ids []string, methods ...string) []orqmem.Request {
	GinkgoHelper()
	return c.writesIn(orqAPI.Requests(), o, ids, methods...)
}

// writesIn is writes among the requests reqs.
func (c conformer) writesIn(reqs []orqmem.Request, o managed.Object, ids []string, methods ...string) []orqmem.Request {
	GinkgoHelper()
	var out []orqmem.Request
	for _, r := range c.callsIn(reqs, o, ids...) {
		if (len(methods) == 0 && r.Method != http.MethodGet) || slices.Contains(methods, r.Method) {
			out = append(out, r)
		}
	}
	return out
}

// creates are the POSTs creating o's remote object that orq accepted.
func (c conformer) creates(o managed.Object) []orqmem.Request {
	GinkgoHelper()
	return c.createsIn(orqAPI.Requests(), o)
}

// createsIn is creates among the requests reqs.
func (c conformer) createsIn(reqs []orqmem.Request, o managed.Object) []orqmem.Request {
	GinkgoHelper()
	var out []orqmem.Request
	for _, r := range c.writesIn(reqs, o, nil, http.MethodPost) {
		if r.Status >= 200 && r.Status < 300 {
			out = append(out, r)
		}
	}
	return out
}

// listingsIn counts the reads of o's whole collection (the drift sweep's) among reqs.
func (c conformer) listingsIn(reqs []orqmem.Request, o managed.Object) int {
	GinkgoHelper()
	n, collection := 0, c.collection(o)
	for _, r := range reqs {
		if r.Method == http.MethodGet && r.Path == collection {
			n++
		}
	}
	return n
}

// since are the requests recorded after the first n (n from mark).
func since(n int) []orqmem.Request { return orqAPI.Requests()[n:] }

// mark is where the requests recorded from now on begin, for since. (Specs that mark do not
// reset the record.)
func mark() int { return len(orqAPI.Requests()) }

// refresh reads o again.
func refresh(ctx context.Context, o client.Object) {
	GinkgoHelper()
	Expect(k8s.Get(ctx, client.ObjectKeyFromObject(o), o)).To(Succeed())
}

// change patches o's spec with edit, from its stored state.
func change(ctx context.Context, o managed.Object, edit func(managed.Object)) {
	GinkgoHelper()
	Eventually(func() error {
		if err := k8s.Get(ctx, client.ObjectKeyFromObject(o), o); err != nil {
			return err
		}
		patch := client.MergeFromWithOptions(o.DeepCopyObject().(client.Object), client.MergeFromWithOptimisticLock{})
		edit(o)
		return k8s.Patch(ctx, o, patch)
	}, timeout, poll).Should(Succeed())
}

// setSpec sets a field of o's spec by its Go name: a lifecycle field every kind has
// ("Suspend", "DeletionPolicy", "ManagementPolicy", "AdoptionPolicy"), promoted from the
// structs the spec embeds.
func setSpec(o managed.Object, field string, value any) {
	GinkgoHelper()
	f := reflect.ValueOf(o).Elem().FieldByName("Spec").FieldByName(field)
	Expect(f.IsValid()).To(BeTrue(), "%T has no spec field %s", o, field)
	f.Set(reflect.ValueOf(value).Convert(f.Type()))
}

// adopt sets adoptionPolicy Adopt.
func adopt(o managed.Object) { setSpec(o, "AdoptionPolicy", orqv1alpha1.AdoptionPolicyAdopt) }

// waitObjectStalled waits until o is Stalled with this reason, and returns the condition.
func waitObjectStalled(ctx context.Context, o client.Object, reason string) *metav1.Condition {
	GinkgoHelper()
	return waitObjectCondition(ctx, o, orqv1alpha1.ConditionStalled, metav1.ConditionTrue, reason)
}

// untilNextSecond waits for the next second: creation times have a resolution of one second, so
// an object created then is looked up in a listing begun after what was made before it (see
// managed's lookupMaxAge).
func untilNextSecond() { time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(time.Second))) }
