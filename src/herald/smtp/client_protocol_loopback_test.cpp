// smtp::ClientProtocol against Herald's own smtp::ServerProtocol, both sans
// I/O, joined in memory: AUTH, pipelining, a refused recipient, and a
// message with dot lines and bare line ends that must arrive intact (as
// CRLF lines) through DotStuffer on one side and DataReader on the other.
#include <gtest/gtest.h>

#include <string>

#include "herald/base/base64.hpp"
#include "herald/smtp/client_protocol.hpp"
#include "herald/smtp/dot_stuffer.hpp"
#include "herald/smtp/server_protocol.hpp"

namespace herald::smtp {
namespace {

struct Loopback {
  ServerProtocol server;
  ClientProtocol client;
  std::string received;  // message content as the server stored it
  std::string mechanism_used;
  std::vector<std::string> login_steps;

  Loopback(ServerConfig s, ClientConfig c) : server(std::move(s)), client(std::move(c)) {
    server.greet();
  }

  void pump_server() {
    while (true) {
      const Event e = server.next();
      switch (e.kind) {
        case EventKind::need_input:
          return;
        case EventKind::mail:
          server.accept_mail();
          break;
        case EventKind::rcpt:
          if (e.text.rfind("nobody@", 0) == 0) {
            server.reject(Reply{550, "5.1.1", "no such user"});
          } else {
            server.accept_rcpt();
          }
          break;
        case EventKind::data_begin:
          server.accept_data();
          break;
        case EventKind::data_chunk:
          received += e.data;
          break;
        case EventKind::data_end:
          ASSERT_EQ(e.status, DataStatus::ok);
          server.message_queued("Q1");
          break;
        case EventKind::auth:
          mechanism_used = e.text;
          if (e.text == "PLAIN") {
            const auto decoded = base::base64_decode(e.argument);
            ASSERT_TRUE(decoded.ok());
            ASSERT_EQ(*decoded, std::string("\0user\0pass", 10));
            server.auth_succeeded("user");
          } else {
            server.auth_challenge("VXNlcm5hbWU6");
          }
          break;
        case EventKind::auth_response: {
          const auto decoded = base::base64_decode(e.argument);
          ASSERT_TRUE(decoded.ok());
          login_steps.push_back(*decoded);
          if (login_steps.size() == 1) {
            server.auth_challenge("UGFzc3dvcmQ6");
          } else {
            server.auth_succeeded(login_steps[0]);
          }
          break;
        }
        default:
          break;
      }
    }
  }

  // Runs the client's glue until the session ends; returns the last event.
  ClientEvent run(std::string_view message) {
    for (int round = 0; round < 200; ++round) {
      const ClientEvent e = client.next();
      server.receive(client.take_output());
      pump_server();
      switch (e.kind) {
        case ClientEventKind::need_input: {
          const std::string out = server.take_output();
          if (out.empty()) return e;  // would block forever
          client.receive(out);
          break;
        }
        case ClientEventKind::send_body: {
          DotStuffer stuffer;
          std::string wire;
          // Two pieces, cut inside a line end, as a real glue might.
          const std::size_t cut = message.size() / 2;
          stuffer.feed(message.substr(0, cut), wire);
          stuffer.feed(message.substr(cut), wire);
          stuffer.finish(wire);
          server.receive(wire);
          pump_server();
          client.body_sent();
          break;
        }
        case ClientEventKind::transaction_done:
        case ClientEventKind::idle:
          client.quit();
          break;
        case ClientEventKind::start_tls:
        case ClientEventKind::closed:
        case ClientEventKind::failed:
          return e;
      }
    }
    return ClientEvent{ClientEventKind::failed};
  }
};

ServerConfig server_config() {
  ServerConfig s;
  s.hostname = "mx.herald.test";
  s.tls_active = true;
  s.auth_required = true;
  return s;
}

ClientConfig client_config(std::vector<std::string> mechanisms) {
  ClientConfig c;
  c.helo_name = "out.herald.test";
  c.tls = TlsPolicy::required;
  c.tls_active = true;
  c.credentials = ClientCredentials{"user", "pass"};
  c.auth_mechanisms = std::move(mechanisms);
  return c;
}

ClientTransaction loop_transaction() {
  ClientTransaction tx;
  tx.sender = "alice@herald.test";
  tx.recipients = {{"bob@remote.test", "", ""}, {"nobody@remote.test", "", ""}};
  tx.size = 60;
  return tx;
}

TEST(ClientLoopback, AuthPlainPipelinedDelivery) {
  Loopback l(server_config(), client_config({"PLAIN"}));
  ASSERT_TRUE(l.client.start_transaction(loop_transaction()).ok());
  const ClientEvent last = l.run("Subject: t\r\n\r\n.dot\n..two\rend\r\n.\r\nlast");
  EXPECT_EQ(last.kind, ClientEventKind::closed);
  EXPECT_EQ(l.mechanism_used, "PLAIN");
  EXPECT_TRUE(l.client.extensions().pipelining);
  ASSERT_EQ(l.client.results().size(), 2u);
  EXPECT_EQ(l.client.results()[0].status, RecipientStatus::delivered);
  EXPECT_EQ(l.client.results()[0].outcome.reply.text, "Ok: queued as Q1");
  EXPECT_EQ(l.client.results()[1].status, RecipientStatus::permanent);
  EXPECT_EQ(l.client.results()[1].outcome.reply.enhanced, "5.1.1");
  EXPECT_EQ(l.received, "Subject: t\r\n\r\n.dot\r\n..two\r\nend\r\n.\r\nlast\r\n");
}

TEST(ClientLoopback, AuthLogin) {
  Loopback l(server_config(), client_config({"LOGIN"}));
  ASSERT_TRUE(l.client.start_transaction(loop_transaction()).ok());
  EXPECT_EQ(l.run("hi\r\n").kind, ClientEventKind::closed);
  EXPECT_EQ(l.mechanism_used, "LOGIN");
  EXPECT_EQ(l.login_steps, (std::vector<std::string>{"user", "pass"}));
  EXPECT_EQ(l.client.results()[0].status, RecipientStatus::delivered);
  EXPECT_EQ(l.received, "hi\r\n");
}

}  // namespace
}  // namespace herald::smtp
