#include "domain_xml.hpp"

#include <domain_template.hpp>

namespace isobench::vm {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\'': out += "&apos;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

Result<std::string> fill_template(std::string_view xml_template, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(xml_template.size() + 512);
  std::size_t at = 0;
  for (;;) {
    auto open = xml_template.find("{{", at);
    if (open == std::string_view::npos) break;
    auto close = xml_template.find("}}", open);
    if (close == std::string_view::npos) return fail("domain template: unterminated {{ at offset " + std::to_string(open));
    std::string key(xml_template.substr(open + 2, close - open - 2));
    auto value = values.find(key);
    out.append(xml_template.substr(at, open - at));
    if (value == values.end()) return fail("domain template: no value for {{" + key + "}}");
    out += xml_escape(value->second);
    at = close + 2;
  }
  out.append(xml_template.substr(at));
  return out;
}

std::string_view domain_template() { return kDomainTemplate; }

}  // namespace isobench::vm
