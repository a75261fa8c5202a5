#include "kube/informer.h"

namespace modelgate::kube {
namespace {

std::string Meta(const Json& object, const char* field) {
  if (!object.is_object()) return "";
  auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return "";
  auto v = md->find(field);
  return v != md->end() && v->is_string() ? v->get<std::string>() : "";
}

std::string Key(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

}  // namespace

std::string ObjectKey(const Json& object) {
  const std::string name = Meta(object, "name");
  if (name.empty()) return "";
  return Key(Meta(object, "namespace"), name);
}

Informer::Informer(std::shared_ptr<Client> client, Resource resource, std::string ns,
                   ListWatchOptions options, InformerHandlers handlers)
    : handlers_(std::move(handlers)),
      lw_(std::move(client), std::move(resource), std::move(ns), std::move(options),
          ListWatchHandlers{
              [this](std::vector<Json>&& items, const std::string&) { OnReplace(std::move(items)); },
              [this](const WatchEvent& ev) { OnEvent(ev); },
              [this](const Status& error) {
                if (handlers_.on_error) handlers_.on_error(error);
              },
              [this] {
                if (handlers_.on_ok) handlers_.on_ok();
              }}) {}

Informer::~Informer() { Stop(); }

void Informer::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { lw_.Run(cancel_); });
}

void Informer::Stop() {
  cancel_.Cancel();
  if (thread_.joinable()) thread_.join();
}

bool Informer::HasSynced() const {
  std::lock_guard<std::mutex> l(sync_mu_);
  return synced_;
}

bool Informer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> l(sync_mu_);
  return sync_cv_.wait_for(l, timeout, [this] { return synced_; });
}

ObjectPtr Informer::Get(const std::string& ns, const std::string& name) const {
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = index_.find(Key(ns, name));
  return it == index_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::List(const std::string& ns, const LabelSelector& selector) const {
  std::vector<ObjectPtr> out;
  std::shared_lock<std::shared_mutex> l(mu_);
  auto it = ns.empty() ? index_.begin() : index_.lower_bound(ns + "/");
  const std::string prefix = ns.empty() ? "" : ns + "/";
  for (; it != index_.end(); ++it) {
    if (!prefix.empty() && it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (selector.MatchesObject(*it->second)) out.push_back(it->second);
  }
  return out;
}

size_t Informer::Size() const {
  std::shared_lock<std::shared_mutex> l(mu_);
  return index_.size();
}

void Informer::OnReplace(std::vector<Json>&& items) {
  // Build the new index without holding the lock; readers keep the old one meanwhile.
  Index fresh;
  for (auto& item : items) {
    std::string key = ObjectKey(item);
    if (!key.empty()) fresh.emplace(std::move(key), std::make_shared<const Json>(std::move(item)));
  }
  Index snapshot = fresh;  // shares the objects; `fresh` is kept for the diff below
  Index old;
  {
    std::unique_lock<std::shared_mutex> l(mu_);  // held for two pointer swaps only
    old.swap(index_);
    index_.swap(snapshot);
  }
  for (const auto& [key, obj] : fresh) {
    auto it = old.find(key);
    if (it == old.end()) {
      if (handlers_.on_add) handlers_.on_add(obj);
    } else if (Meta(*it->second, "resourceVersion") != Meta(*obj, "resourceVersion")) {
      if (handlers_.on_update) handlers_.on_update(it->second, obj);
    }
  }
  for (const auto& [key, obj] : old)
    if (!fresh.count(key) && handlers_.on_delete) handlers_.on_delete(obj);
  if (handlers_.on_replaced) handlers_.on_replaced();
  {
    std::lock_guard<std::mutex> l(sync_mu_);
    synced_ = true;
  }
  sync_cv_.notify_all();
}

void Informer::OnEvent(const WatchEvent& ev) {
  std::string key = ObjectKey(ev.object);
  if (key.empty()) return;
  auto obj = std::make_shared<const Json>(ev.object);
  ObjectPtr old;
  {
    std::unique_lock<std::shared_mutex> l(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) old = it->second;
    if (ev.type == WatchEvent::Type::kDeleted) {
      if (it != index_.end()) index_.erase(it);
    } else {
      index_[key] = obj;
    }
  }
  if (ev.type == WatchEvent::Type::kDeleted) {
    if (handlers_.on_delete) handlers_.on_delete(old ? old : obj);
  } else if (old) {
    if (handlers_.on_update) handlers_.on_update(old, obj);
  } else {
    if (handlers_.on_add) handlers_.on_add(obj);
  }
}

}  // namespace modelgate::kube
