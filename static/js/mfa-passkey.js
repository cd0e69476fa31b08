// After a passkey is created, go on to the recovery codes (the library's script only
// reports success). A file of its own: the CSP allows no inline script.
document.addEventListener("otp_webauthn.register_complete", function () {
  var done = document.getElementById("mfa-passkey-done");
  if (done) {
    window.location.assign(done.dataset.next);
  }
});
