//===- DescTable.cpp - A node's descriptors, owned or viewed --------------===//
#include "dojo/Binary/Executable.h"

#include <algorithm>
#include <stdexcept>

namespace dojo::bin {

DescTable::Ref DescTable::append(std::span<const int64_t> words) {
  // Offsets and lengths are 32-bit to keep a reference at 16 bytes; four
  // billion words (32 GB) of one node's descriptors is far beyond any SRAM.
  if (owned_.size() + words.size() > UINT32_MAX)
    throw std::length_error("descriptor table exceeds 2^32 words");
  Ref r;
  r.offset = uint32_t(owned_.size());
  r.size = uint32_t(words.size());
  owned_.insert(owned_.end(), words.begin(), words.end());
  return r;
}

void DescTable::push_back(std::span<const int64_t> words) {
  refs_.push_back(append(words));
}

void DescTable::pushView(const int64_t *words, size_t size) {
  if (size > UINT32_MAX)
    throw std::length_error("descriptor exceeds 2^32 words");
  Ref r;
  r.view = words;
  r.size = uint32_t(size);
  refs_.push_back(r);
}

void DescTable::replace(size_t i, std::span<const int64_t> words) {
  // `words` may lie in owned_, which append() can reallocate.
  std::vector<int64_t> copy(words.begin(), words.end());
  refs_.at(i) = append(copy);
}

bool operator==(const DescTable &x, const DescTable &y) {
  if (x.size() != y.size())
    return false;
  for (size_t i = 0; i < x.size(); ++i)
    if (!std::ranges::equal(x[i], y[i]))
      return false;
  return true;
}

} // namespace dojo::bin
