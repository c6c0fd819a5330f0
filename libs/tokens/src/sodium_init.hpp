#pragma once
// libsodium must be initialised once before use; every entry point of this library calls this.
namespace marketplace::tokens::impl {
void EnsureSodium();
}  // namespace marketplace::tokens::impl
