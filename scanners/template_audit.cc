#include "scanners/template_audit.h"

namespace modelgate::scanners {

void AuditChatTemplate(std::string_view source, std::string_view where, ScanContext& ctx) {
  (void)source;
  ctx.Undecide("chat template audit of " + std::string(where) + " is not implemented yet");
}

}  // namespace modelgate::scanners
