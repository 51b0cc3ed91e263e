//===- EventQueue.h - The simulator's event queue -------------------------===//
//
// Private to lib/Sim. Events are popped in (time, seq) order, seq being the
// order of pushes, so that runs are deterministic. The timing side pushes and
// pops about two events per transfer (millions per run), and a large model
// keeps tens of thousands of transfers in flight, so an event is 16 bytes
// (the time and one word packing seq, kind and index, whose unsigned order
// is seq's), and the queue is a calendar of per-cycle FIFO buckets
// (EventQueue) backed by a 4-ary heap (EventHeap) for events beyond its
// window.
//
//===----------------------------------------------------------------------===//
#ifndef DOJO_LIB_SIM_EVENTQUEUE_H
#define DOJO_LIB_SIM_EVENTQUEUE_H

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <optional>
#include <vector>

namespace dojo::sim::detail {

struct alignas(16) Event {
  static constexpr int kIndexBits = 23;
  static constexpr int kSeqBits = 64 - 1 - kIndexBits;
  /// Indices must stay below kMaxIndex (Machine checks them); seqs below
  /// kMaxSeq (EventQueue::renumber).
  static constexpr uint64_t kMaxSeq = uint64_t(1) << kSeqBits;
  static constexpr int64_t kMaxIndex = int64_t(1) << kIndexBits;

  int64_t time = 0;
  /// seq << 24 | arrival << 23 | index: seqs are unique, so comparing the
  /// words compares seqs.
  uint64_t key = 0;

  Event() = default;
  Event(int64_t time, uint64_t seq, bool arrival, int index)
      : time(time), key(seq << (kIndexBits + 1) |
                        uint64_t(arrival) << kIndexBits | uint64_t(index)) {}
  /// The event with time `time` and packed word `key`.
  static Event withKey(int64_t time, uint64_t key) {
    Event e;
    e.time = time;
    e.key = key;
    return e;
  }
  uint64_t seq() const { return key >> (kIndexBits + 1); }
  /// false: node index() is ready to run; true: transfer slot index()
  /// arrives.
  bool arrival() const { return (key >> kIndexBits) & 1; }
  int index() const { return int(key & (uint64_t(kMaxIndex) - 1)); }

  /// (time, seq) order as one unsigned 128-bit comparison, which compiles
  /// without branches (the sign bit is flipped so that negative times,
  /// which the simulator never makes, would still order correctly).
  __extension__ typedef unsigned __int128 Order;
  Order order() const {
    return Order(uint64_t(time) ^ (uint64_t(1) << 63)) << 64 | key;
  }
};
static_assert(sizeof(Event) == 16);

/// A 4-ary min-heap of events in (time, seq) order: half the depth of a
/// binary heap, and each group of siblings is one cache line, so a level
/// costs one line instead of two.
class EventHeap {
public:
  EventHeap() = default;
  EventHeap(const EventHeap &) = delete;
  EventHeap &operator=(const EventHeap &) = delete;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  const Event &top() const { return at(0); }
  /// The event that becomes top() after pop(): the least of the root's
  /// children (only prefetching looks ahead; null if there is none).
  const Event *second() const {
    if (size_ < 2)
      return nullptr;
    return &at(minChild(0, size_ < 5 ? size_ - 1 : 4));
  }

  void push(const Event &e) {
    if (size_ == capacity_)
      grow();
    siftUp(size_++, e);
  }

  void pop() {
    // Move the hole from the root to a leaf along the least children, then
    // fill it with the last event sifted up: the last event is usually a
    // late one, which a plain sift-down would compare at every level.
    const size_t n = --size_;
    if (n == 0)
      return;
    const Event last = at(n);
    size_t i = 0;
    while (4 * i + 4 < n) { // four children below n
      const size_t c = minChild(i, 4);
      at(i) = at(c);
      i = c;
    }
    if (4 * i + 1 < n) { // one to three children below n
      const size_t c = minChild(i, n - 1 - 4 * i);
      at(i) = at(c);
      i = c;
    }
    siftUp(i, last);
  }

  /// The i-th event in heap order (any order; for EventQueue::renumber).
  const Event &operator[](size_t i) const { return at(i); }
  void clear() { size_ = 0; }

private:
  /// Heap slot i lives at storage i + 3, so that the children of slot i,
  /// 4i+1 .. 4i+4, fill storage line i + 1 (the block is line aligned).
  static constexpr size_t kPad = 3;
  Event &at(size_t i) { return data_.get()[i + kPad]; }
  const Event &at(size_t i) const { return data_.get()[i + kPad]; }

  /// Moves the hole at slot i up past every parent later than `e`, then
  /// puts `e` there.
  void siftUp(size_t i, const Event &e) {
    const Event::Order o = e.order();
    while (i > 0) {
      const size_t parent = (i - 1) / 4;
      if (at(parent).order() <= o)
        break;
      at(i) = at(parent);
      i = parent;
    }
    at(i) = e;
  }

  /// The least of the first `count` (1..4) children of slot i.
  size_t minChild(size_t i, size_t count) const {
    size_t best = 4 * i + 1;
    Event::Order bo = at(best).order();
    for (size_t k = 1; k < count; ++k) {
      const size_t c = 4 * i + 1 + k;
      const Event::Order o = at(c).order();
      const bool less = o < bo;
      best = less ? c : best;
      bo = less ? o : bo;
    }
    return best;
  }

  void grow() {
    const size_t capacity = capacity_ ? 2 * capacity_ : 256;
    std::unique_ptr<Event[], Free> data(static_cast<Event *>(
        ::operator new[]((capacity + kPad) * sizeof(Event),
                         std::align_val_t(64))));
    for (size_t i = 0; i < capacity + kPad; ++i)
      new (data.get() + i) Event();
    for (size_t i = 0; i < size_; ++i)
      data.get()[i + kPad] = at(i);
    data_ = std::move(data);
    capacity_ = capacity;
  }

  struct Free {
    void operator()(Event *p) const {
      ::operator delete[](p, std::align_val_t(64));
    }
  };
  std::unique_ptr<Event[], Free> data_;
  size_t size_ = 0, capacity_ = 0;
};

/// The event queue: a calendar of one FIFO bucket per cycle for the events
/// due within kWindow cycles of the last popped one, and an EventHeap for
/// the rest (events due later, and any due before it, which the simulator
/// never pushes). Events of one time are pushed in seq order, so a bucket's
/// FIFO order is seq order, and the earlier of the calendar's first event
/// and the heap's top is the least event overall. Pushing and popping cost
/// a bucket and a bit of the occupancy bitmap, where a heap of the ten
/// thousand or more transfers a large model keeps in flight costs a cache
/// miss at each of several levels; nearly every event is due within 2^16
/// cycles (r2plus1d_18: 99.8%).
class EventQueue {
public:
  static constexpr int kWindowBits = 16;
  static constexpr int64_t kWindow = int64_t(1) << kWindowBits;

  EventQueue()
      : buckets_(size_t(kWindow)), words_(size_t(kWindow / 64), 0) {}
  EventQueue(const EventQueue &) = delete;
  EventQueue &operator=(const EventQueue &) = delete;

  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }
  /// The least event (the queue must not be empty).
  const Event &top() const { return top_; }

  /// The event that becomes top() after pop(), if any; only prefetching
  /// looks ahead, so it may be approximate.
  std::optional<Event> second() const {
    std::optional<Event> best;
    auto consider = [&](const Event &e) {
      if (!best || e.order() < best->order())
        best = e;
    };
    if (topInRing_) {
      const Slot &s = slots_[buckets_[size_t(bucket(top_.time))].head];
      if (s.next != kNone)
        return Event::withKey(top_.time, slots_[s.next].key);
      if (const std::optional<Event> e = ringFrom(top_.time + 1))
        consider(*e);
      if (!heap_.empty())
        consider(heap_.top());
    } else {
      if (const std::optional<Event> e = ringFrom(base_))
        consider(*e);
      if (const Event *e = heap_.second())
        consider(*e);
    }
    return best;
  }

  void push(const Event &e) {
    if (e.time >= base_ && e.time - base_ < kWindow) {
      const size_t b = size_t(bucket(e.time));
      const uint32_t slot = allocate(e.key);
      Bucket &bk = buckets_[b];
      if (bk.head == kNone) {
        bk.head = slot;
        words_[b / 64] |= uint64_t(1) << (b % 64);
        summary_[b / 4096] |= uint64_t(1) << (b / 64 % 64);
      } else {
        slots_[bk.tail].next = slot;
      }
      bk.tail = slot;
      ++ringCount_;
      if (size_ == 0 || e.order() < top_.order()) {
        top_ = e;
        topInRing_ = true;
      }
    } else {
      heap_.push(e);
      if (size_ == 0 || e.order() < top_.order()) {
        top_ = e;
        topInRing_ = false;
      }
    }
    ++size_;
  }

  void pop() {
    // Every queued event is due at or after the popped one, so the window
    // can start at its time.
    if (topInRing_) {
      const size_t b = size_t(bucket(top_.time));
      Bucket &bk = buckets_[b];
      const uint32_t slot = bk.head;
      bk.head = slots_[slot].next;
      if (bk.head == kNone) {
        bk.tail = kNone;
        words_[b / 64] &= ~(uint64_t(1) << (b % 64));
        if (words_[b / 64] == 0)
          summary_[b / 4096] &= ~(uint64_t(1) << (b / 64 % 64));
      }
      free_.push_back(slot);
      --ringCount_;
    } else {
      heap_.pop();
    }
    --size_;
    base_ = std::max(base_, top_.time);
    if (size_ == 0)
      return;
    // The new top: the ring's first event or the heap's, whichever is
    // earlier.
    std::optional<Event> ring;
    if (ringCount_ > 0)
      ring = ringFrom(base_);
    if (ring && (heap_.empty() || ring->order() < heap_.top().order())) {
      top_ = *ring;
      topInRing_ = true;
    } else {
      top_ = heap_.top();
      topInRing_ = false;
    }
  }

  /// Gives the queued events the seqs 0, 1, ... in their order and returns
  /// the next free seq: the order of every event, queued or pushed later,
  /// stays the same. (Machine calls it when seqs run out, after 2^40
  /// pushes, which no practical run reaches.)
  uint64_t renumber() {
    std::vector<Event> events;
    events.reserve(size_);
    while (!empty()) {
      events.push_back(top());
      pop();
    }
    uint64_t seq = 0;
    for (const Event &e : events)
      push(Event(e.time, seq++, e.arrival(), e.index()));
    return seq;
  }

private:
  static constexpr uint32_t kNone = UINT32_MAX;
  /// A calendar entry; its time follows from its bucket.
  struct Slot {
    uint64_t key = 0;
    uint32_t next = kNone;
  };

  static int64_t bucket(int64_t time) { return time & (kWindow - 1); }

  uint32_t allocate(uint64_t key) {
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = uint32_t(slots_.size());
      slots_.emplace_back();
    }
    slots_[slot] = Slot{key, kNone};
    return slot;
  }

  /// The calendar's first event due at or after `from` (in [base_, base_ +
  /// kWindow]), if any.
  std::optional<Event> ringFrom(int64_t from) const {
    const int64_t end = base_ + kWindow;
    while (from < end) {
      const size_t b = size_t(bucket(from));
      // Bits of word b / 64 at or after b.
      const uint64_t w = words_[b / 64] & (~uint64_t(0) << (b % 64));
      if (w != 0) {
        const int64_t t = from + (std::countr_zero(w) - int64_t(b % 64));
        if (t >= end)
          return std::nullopt;
        return Event::withKey(t, slots_[buckets_[size_t(bucket(t))].head].key);
      }
      // Skip to the next nonempty word through the summary.
      const size_t word = b / 64 + 1; // may wrap to the window's start
      const int64_t wordStart = from + int64_t(64 - b % 64);
      const size_t wi = word % words_.size();
      const uint64_t sw =
          summary_[wi / 64] & (~uint64_t(0) << (wi % 64));
      if (sw != 0)
        from = wordStart + (std::countr_zero(sw) - int64_t(wi % 64)) * 64;
      else
        from = wordStart + int64_t(64 - wi % 64) * 64;
    }
    return std::nullopt;
  }

  /// A bucket's first and last slot (kNone: empty), side by side so that
  /// a push or pop touches one cache line of them.
  struct Bucket {
    uint32_t head = kNone, tail = kNone;
  };
  std::vector<Bucket> buckets_;
  std::vector<uint64_t> words_;         ///< bit per nonempty bucket
  uint64_t summary_[kWindow / 4096] = {}; ///< bit per nonzero word
  std::vector<Slot> slots_;
  /// Free slots, last freed on top: it is usually still in the cache, and
  /// taking one reads only this small stack.
  std::vector<uint32_t> free_;
  EventHeap heap_;
  int64_t base_ = 0; ///< the calendar holds times in [base_, base_ + kWindow)
  size_t size_ = 0, ringCount_ = 0;
  Event top_;
  bool topInRing_ = false;
};

} // namespace dojo::sim::detail

#endif // DOJO_LIB_SIM_EVENTQUEUE_H
