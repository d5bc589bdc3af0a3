// "Practice again" opens a new interview thread: the server asks for it with a window message
// ({mockInterview: "new-interview"}), and the page does what its own "New chat" button does.
(function () {
  window.addEventListener("message", function (event) {
    if (event.origin !== window.location.origin) return;
    var data = event.data || {};
    if (data.mockInterview !== "new-interview") return;
    var button = document.getElementById("new-chat-button");
    if (button) {
      button.click();
    } else {
      window.location.assign("/");
    }
  });
})();
