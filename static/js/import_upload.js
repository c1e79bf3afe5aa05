// Browsers send a folder's files by name only; keep each one's path inside the folder so
// files of different subfolders stay apart. Without this, the names are used.
(function () {
  "use strict";

  var form = document.getElementById("import-form");
  if (!form) {
    return;
  }
  form.addEventListener("submit", function () {
    var folder = document.getElementById(form.dataset.folderInput);
    var paths = document.getElementById(form.dataset.pathsInput);
    if (!folder || !paths) {
      return;
    }
    paths.value = JSON.stringify(Array.prototype.map.call(folder.files, function (file) {
      return file.webkitRelativePath || file.name;
    }));
  });
})();
