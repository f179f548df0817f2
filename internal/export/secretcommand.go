package export

// createSecretCommand is the kubectl command a person runs to make Secret name (in namespace, if
// given) with these keys before applying an export: the values are theirs to fill in, as orq never
// shows them.
func createSecretCommand(name, namespace string, keys ...string) string {
	create := "kubectl create secret generic " + name
	if namespace != "" {
		create += " -n " + namespace
	}
	for _, k := range keys {
		create += " --from-literal=" + k + "=..."
	}
	return create
}
