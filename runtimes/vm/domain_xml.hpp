// The libvirt domain XML for one guest: vm-configs/domain.xml with its {{placeholders}}
// filled in.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "runtimes/common/error.hpp"

namespace isobench::vm {

std::string xml_escape(std::string_view text);

// Replaces every {{key}} in `xml_template` with the escaped value. Fails on a
// placeholder without a value, so a template edit cannot pass silently.
Result<std::string> fill_template(std::string_view xml_template, const std::map<std::string, std::string>& values);

// The embedded vm-configs/domain.xml.
std::string_view domain_template();

}  // namespace isobench::vm
