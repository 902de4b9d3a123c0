// Google Benchmark: what DKIM signing costs per message, split into the
// streaming body hash (paid on the I/O thread as data arrives) and the
// header signature (paid on a worker at end of data), for RSA-2048 and
// Ed25519. Run: build/release/src/herald/dkim/dkim_bench
#include <benchmark/benchmark.h>

#include <string>

#include "herald/dkim/canonicalization.hpp"
#include "herald/dkim/key_generator.hpp"
#include "herald/dkim/signer.hpp"

namespace herald::dkim {
namespace {

const std::string kHeaders =
    "From: App <app@acme.example>\r\nTo: someone@example.net\r\nSubject: Your receipt\r\n"
    "Date: Mon, 23 Nov 2026 14:40:33 +0000\r\nMessage-ID: <abc.123@acme.example>\r\n"
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n";

std::string body_of(std::size_t bytes) {
  std::string line = std::string(76, 'x') + "\r\n";
  std::string body;
  while (body.size() < bytes) body += line;
  body.resize(bytes - 2);
  return body + "\r\n";
}

void BodyHash(benchmark::State& state) {
  const std::string body = body_of(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    RelaxedBodyHasher h;
    // 16 KiB fragments, as the session feeds them.
    for (std::size_t p = 0; p < body.size(); p += 16384)
      h.update(std::string_view(body).substr(p, 16384));
    benchmark::DoNotOptimize(h.finish());
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * body.size()));
}
BENCHMARK(BodyHash)->Arg(10 * 1024)->Arg(1024 * 1024);

void SignMessage(benchmark::State& state, Algorithm algorithm) {
  auto pair = generate_key_pair(algorithm);
  auto signer = signer_from_pem(pair->private_key_pem);
  const std::string body = body_of(10 * 1024);
  for (auto _ : state) {
    RelaxedBodyHasher h;
    h.update(body);
    SignRequest request;
    request.domain = "acme.example";
    request.selector = "s1";
    request.header_section = kHeaders;
    request.body_hash = h.finish();
    request.signer = signer->get();
    request.timestamp = 1795445000;
    benchmark::DoNotOptimize(make_signature_header(request));
  }
}
BENCHMARK_CAPTURE(SignMessage, rsa2048_10KB, Algorithm::kRsaSha256);
BENCHMARK_CAPTURE(SignMessage, ed25519_10KB, Algorithm::kEd25519Sha256);

}  // namespace
}  // namespace herald::dkim

BENCHMARK_MAIN();
