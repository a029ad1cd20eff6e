#include "common/line_reader.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "common/protocol.hpp"
#include "common/spawn.hpp"

using namespace isobench;

namespace {
void write_all(int fd, std::string_view text) { ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size())); }
}  // namespace

TEST(LineReader, SplitsLinesAndDropsCarriageReturns) {
  auto pipe = make_pipe();
  ASSERT_TRUE(pipe);
  write_all(pipe->write_end.get(), "first\r\nsecond\nlast-without-newline");
  pipe->write_end.reset();
  LineReader reader(std::move(pipe->read_end));
  auto deadline = Deadline::after(std::chrono::seconds(10));
  EXPECT_EQ(reader.next_line(deadline).value(), "first");
  EXPECT_EQ(reader.next_line(deadline).value(), "second");
  EXPECT_EQ(reader.next_line(deadline).value(), "last-without-newline");
  auto end = reader.next_line(deadline);
  ASSERT_FALSE(end);
  EXPECT_TRUE(end.error().is_end_of_stream());
}

TEST(LineReader, TimesOutWhenNothingArrives) {
  auto pipe = make_pipe();
  ASSERT_TRUE(pipe);
  LineReader reader(std::move(pipe->read_end));
  auto line = reader.next_line(Deadline::after(std::chrono::milliseconds(20)));
  ASSERT_FALSE(line);
  EXPECT_TRUE(line.error().is_timeout());
}

TEST(ProtocolStream, FindsTaggedLinesAmongConsoleNoise) {
  auto pipe = make_pipe();
  ASSERT_TRUE(pipe);
  write_all(pipe->write_end.get(),
            "[    0.512] Run /init as init process\n"
            "garbage{\"isobench\":\"ready\",\"pid\":1}\r\n"
            "kernel: something\n"
            "{\"isobench\":\"result\",\"workload\":\"noop\",\"ok\":true,\"data\":{}}\n");
  pipe->write_end.reset();
  ProtocolStream stream{LineReader(std::move(pipe->read_end))};
  std::vector<std::string> console;
  stream.on_console_line([&](const std::string& line) { console.push_back(line); });
  auto deadline = Deadline::after(std::chrono::seconds(10));
  EXPECT_EQ(stream.await(kReadyTag, deadline).value(), R"({"isobench":"ready","pid":1})");
  EXPECT_EQ(stream.await(kResultTag, deadline).value(),
            R"({"isobench":"result","workload":"noop","ok":true,"data":{}})");
  ASSERT_EQ(console.size(), 2u);
  EXPECT_EQ(console[1], "kernel: something");
  EXPECT_EQ(stream.last_console_line(), "kernel: something");
}
