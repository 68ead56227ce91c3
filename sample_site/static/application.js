/* deeply-archive sample site: closes the archive banner, as the real site's script did. */
(function () {
  document.addEventListener("DOMContentLoaded", function () {
    var close = document.querySelector(".close-sunset-panel");
    if (close) {
      close.addEventListener("click", function (e) {
        e.preventDefault();
        document.querySelector(".wng-sunset-panel").style.display = "none";
      });
    }
  });
})();
