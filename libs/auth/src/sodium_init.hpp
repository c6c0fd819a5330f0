#pragma once
// libsodium must be initialised once before use; every entry point of this library calls this.
namespace marketplace::auth::impl {
void EnsureSodium();
}  // namespace marketplace::auth::impl
