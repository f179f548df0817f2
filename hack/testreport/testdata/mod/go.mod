module example.com/reported

go 1.26
