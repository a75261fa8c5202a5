// Status and Result<T>: errors as values across module boundaries.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace modelgate {

// An error message; a default-constructed Status is OK.
class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(std::string message) { return Status(std::move(message), true); }
  // An error with a numeric code chosen by the producing module (kube/: the HTTP
  // status of the failed API call, 0 when no response arrived).
  static Status Error(std::string message, int code) {
    Status s(std::move(message), true);
    s.code_ = code;
    return s;
  }
  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }
  // 0 unless the error was created with a code.
  int code() const { return code_; }

 private:
  Status(std::string m, bool failed) : message_(std::move(m)), failed_(failed) {}
  std::string message_;
  bool failed_ = false;
  int code_ = 0;
};

// Either a value or an error Status. Accessing value() of an error is a bug.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}                       // NOLINT: implicit by design
  Result(Status error) : v_(std::move(error)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  // Same overloads as value(): `std::move(*r)` and `(*r)[k]` on a non-const Result must
  // reach the value itself, not a const copy (a const "move" silently copies).
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  // The error; OK status when ok().
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace modelgate
