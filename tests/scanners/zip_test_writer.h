// A tiny ZIP writer for tests: builds archives byte by byte, with knobs for
// every anomaly the scanner must report (lying headers, bad CRCs, aliases...).
#pragma once

#include <zlib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace modelgate::scanners::testing {

struct ZipMember {
  ZipMember(std::string n, std::string d, uint16_t m = 0)
      : name(std::move(n)), data(std::move(d)), method(m) {}
  std::string name;
  std::string data;
  uint16_t method = 0;  // 0 stored, 8 deflate; anything else: data written as is
  uint16_t flags = 0;
  std::optional<std::string> local_name;       // differs from the central name
  std::optional<uint32_t> crc;                 // default: the real CRC-32
  std::optional<uint64_t> declared_size;       // default: the real uncompressed size
  std::optional<size_t> alias_of;              // central entry pointing at another member's local header
};

struct ZipOptions {
  std::string prefix;    // bytes before the archive; offsets stay archive-relative
  std::string comment;
  std::optional<uint16_t> comment_len;  // lie about the comment length
  std::optional<uint16_t> declared_entries;
  bool zip64 = false;    // ZIP64 end records, 0xFFFF.. in the classic one
};

inline void Put16(std::string* s, uint16_t v) {
  s->push_back(static_cast<char>(v & 0xff));
  s->push_back(static_cast<char>(v >> 8));
}
inline void Put32(std::string* s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void Put64(std::string* s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

inline std::string RawDeflate(const std::string& in) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

inline uint32_t Crc(const std::string& s) {
  return static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

inline std::string BuildZip(const std::vector<ZipMember>& members, const ZipOptions& opt = {}) {
  std::string body, cd;
  std::vector<uint32_t> offsets;
  for (const ZipMember& m : members) {
    std::string payload = m.method == 8 ? RawDeflate(m.data) : m.data;
    uint32_t crc = m.crc.value_or(Crc(m.data));
    uint32_t usize = static_cast<uint32_t>(m.declared_size.value_or(m.data.size()));
    uint32_t offset;
    if (m.alias_of) {
      offset = offsets[*m.alias_of];
    } else {
      offset = static_cast<uint32_t>(body.size());
      std::string lname = m.local_name.value_or(m.name);
      Put32(&body, 0x04034b50);
      Put16(&body, 20);
      Put16(&body, m.flags);
      Put16(&body, m.method);
      Put32(&body, 0);  // time, date
      Put32(&body, crc);
      Put32(&body, static_cast<uint32_t>(payload.size()));
      Put32(&body, usize);
      Put16(&body, static_cast<uint16_t>(lname.size()));
      Put16(&body, 0);
      body += lname;
      body += payload;
    }
    offsets.push_back(offset);
    const ZipMember& src = m.alias_of ? members[*m.alias_of] : m;
    std::string spayload = src.method == 8 ? RawDeflate(src.data) : src.data;
    Put32(&cd, 0x02014b50);
    Put16(&cd, 20);
    Put16(&cd, 20);
    Put16(&cd, m.flags);
    Put16(&cd, src.method);
    Put32(&cd, 0);
    Put32(&cd, src.crc.value_or(Crc(src.data)));
    Put32(&cd, static_cast<uint32_t>(spayload.size()));
    Put32(&cd, static_cast<uint32_t>(src.declared_size.value_or(src.data.size())));
    Put16(&cd, static_cast<uint16_t>(m.name.size()));
    Put16(&cd, 0);
    Put16(&cd, 0);
    Put16(&cd, 0);
    Put16(&cd, 0);
    Put32(&cd, 0);
    Put32(&cd, offset);
    cd += m.name;
  }
  std::string out = opt.prefix + body + cd;
  uint16_t n = opt.declared_entries.value_or(static_cast<uint16_t>(members.size()));
  if (opt.zip64) {
    uint64_t z64_offset = body.size() + cd.size();
    Put32(&out, 0x06064b50);
    Put64(&out, 44);
    Put16(&out, 45);
    Put16(&out, 45);
    Put32(&out, 0);
    Put32(&out, 0);
    Put64(&out, n);
    Put64(&out, n);
    Put64(&out, cd.size());
    Put64(&out, body.size());
    Put32(&out, 0x07064b50);
    Put32(&out, 0);
    Put64(&out, z64_offset);
    Put32(&out, 1);
  }
  Put32(&out, 0x06054b50);
  Put16(&out, 0);
  Put16(&out, 0);
  Put16(&out, opt.zip64 ? 0xffff : n);
  Put16(&out, opt.zip64 ? 0xffff : n);
  Put32(&out, opt.zip64 ? 0xffffffff : static_cast<uint32_t>(cd.size()));
  Put32(&out, opt.zip64 ? 0xffffffff : static_cast<uint32_t>(body.size()));
  Put16(&out, opt.comment_len.value_or(static_cast<uint16_t>(opt.comment.size())));
  out += opt.comment;
  return out;
}

}  // namespace modelgate::scanners::testing
