// What the API server and kubectl add to every object for their own bookkeeping:
// metadata.managedFields (server-side apply ownership) and kubectl's
// last-applied-configuration annotation (a full copy of the applied manifest).
// Together they often outweigh the object itself; a read-only cache drops them.
#pragma once

#include "kube/client.h"

namespace modelgate::kube {

inline constexpr const char* kLastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

// Removes metadata.managedFields and the last-applied-configuration annotation (and an
// annotations map left empty). Anything else, including malformed metadata, is left as
// it is. Only for caches whose objects are never written back with a plain Update (PUT):
// that would delete the annotation on the server. Writes through the status
// subresource (which ignores metadata) and patches are fine.
void StripBookkeeping(Json& object);

// {"metadata": {name, namespace, resourceVersion}} of `object` (the fields it has):
// all an informer needs to key, diff and delete an object whose content the consumer
// has already decoded into its own form. (No uid: an informer keys by namespace/name,
// and one more string per cached object is ~150 bytes, 3 MB at 20,000 objects.)
Json MetadataStub(const Json& object);

}  // namespace modelgate::kube
