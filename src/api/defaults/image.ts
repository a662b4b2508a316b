// The default imagePullPolicy, as SetDefaults_Container: Always for the `latest` tag (which is also
// what an image with neither tag nor digest means), IfNotPresent otherwise.

/** The tag of an image reference: "" when only a digest is given, "latest" when neither is. */
export function imageTag(image: string): string {
  const at = image.indexOf('@');
  const hasDigest = at >= 0;
  const name = hasDigest ? image.slice(0, at) : image;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  // A colon before the last slash belongs to a registry host:port, not a tag.
  if (colon > slash) return name.slice(colon + 1);
  return hasDigest ? '' : 'latest';
}

export function defaultPullPolicy(image: string | undefined): 'Always' | 'IfNotPresent' {
  // An empty image does not parse in Kubernetes, which then falls back to IfNotPresent.
  if (!image) return 'IfNotPresent';
  return imageTag(image) === 'latest' ? 'Always' : 'IfNotPresent';
}
